// Admin CSV exports' inputs (GET /api/admin/exports/...), validated like procedure inputs.
import { z } from 'zod';
import { examIdField } from './exams';
import { isoDate } from './fields';

export const rosterExportInput = z.object({ examId: examIdField }).strict();

export const bookingsExportInput = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .refine((v) => v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] });
export type BookingsExportInput = z.infer<typeof bookingsExportInput>;
