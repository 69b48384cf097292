// The exams procedures' inputs: validated by the router (zod), typed for the service; both import them from here.
import { z } from 'zod';
import { MOCK_TYPES } from '../../db/schema/statuses';

const isoDate = z.iso.date();

export const availableExamsInput = z
  .object({
    mockType: z.enum(MOCK_TYPES).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    location: z.string().trim().min(1).max(200).optional(),
    includeFull: z.boolean().optional(),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] })
  .optional();

export type AvailableExamsInput = NonNullable<z.infer<typeof availableExamsInput>>;

/** A session's HubSpot id, as every procedure that names a session takes it. */
export const examIdField = z.string().trim().min(1).max(100);

export const examByIdInput = z.object({ examId: examIdField }).strict();
