// The exams procedures' inputs: validated by the router (zod), typed for the service; both import them from here.
import { z } from 'zod';
import { MOCK_TYPES } from '../../db/schema/statuses';
import { isoDate, plainText } from './fields';

/**
 * One page of `exams.available` holds this many sessions unless `limit` says otherwise: more than a
 * school has open at once, so an ordinary listing is one call; the cap keeps an anonymous call small.
 */
export const AVAILABLE_PAGE_DEFAULT = 200;
export const AVAILABLE_PAGE_MAX = 500;

export const availableExamsInput = z
  .object({
    mockType: z.enum(MOCK_TYPES).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    location: plainText(200).optional(),
    includeFull: z.boolean().optional(),
    limit: z.number().int().min(1).max(AVAILABLE_PAGE_MAX).optional(),
    /** The `cursor` of the last session of the previous page: the page after it. */
    cursor: plainText(300).optional(),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] })
  .optional();

export type AvailableExamsInput = NonNullable<z.infer<typeof availableExamsInput>>;

/** A session's HubSpot id, as every procedure that names a session takes it. */
export const examIdField = plainText(100);

export const examByIdInput = z.object({ examId: examIdField }).strict();
