// Admin session procedures' inputs (admin.exams.*): validated by the admin routers, typed for the services.
import { z } from 'zod';
import { MOCK_TYPES } from '../../db/schema/statuses';
import { examIdField } from './exams';

const isoDate = z.iso.date();

export const ADMIN_EXAM_SORTS = [
  'date',
  'start',
  'capacity',
  'bookings',
  'location',
  'type',
  'status',
  'created',
  'updated',
] as const;
export const ADMIN_EXAM_STATUS_FILTERS = ['active', 'inactive', 'scheduled'] as const;

export const adminExamListInput = z
  .object({
    mockTypes: z.array(z.enum(MOCK_TYPES)).min(1).max(MOCK_TYPES.length).optional(),
    location: z.string().trim().min(1).max(200).optional(),
    status: z.enum(ADMIN_EXAM_STATUS_FILTERS).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    sort: z.enum(ADMIN_EXAM_SORTS).default('date'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.number().int().min(1).max(100_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] });
export type AdminExamListInput = z.infer<typeof adminExamListInput>;

export const adminExamIdInput = z.object({ examId: examIdField }).strict();
