// Admin booking procedures' inputs (admin.bookings.*).
import { z } from 'zod';
import { examIdField } from './exams';
import { plainText } from './fields';

const bookingIds = z.array(z.uuid()).min(1).max(100);

export const adminRosterInput = z
  .object({
    examId: examIdField,
    search: z.string().trim().min(1).max(200).optional(),
    includeCancelled: z.boolean().default(false),
    sort: z.enum(['created', 'name', 'email', 'studentId']).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.number().int().min(1).max(100_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AdminRosterInput = z.infer<typeof adminRosterInput>;

export const adminMarkAttendanceInput = z
  .object({ examId: examIdField, bookingIds, attendance: z.enum(['Yes', 'No']).nullable() })
  .strict();
export type AdminMarkAttendanceInput = z.infer<typeof adminMarkAttendanceInput>;

export const adminCancelBookingsInput = z
  .object({ bookingIds, refund: z.boolean(), reason: plainText(500, 0).optional() })
  .strict();
export type AdminCancelBookingsInput = z.infer<typeof adminCancelBookingsInput>;

export const adminCreateBookingInput = z
  .object({
    examId: examIdField,
    contactId: z.string().trim().min(1).max(100),
    /** No credit spent (token_used 'Admin Override'); capacity and the duplicate rule still hold. */
    override: z.boolean().default(false),
    /** With override only: book past capacity (recorded in the audit log). */
    allowOverCapacity: z.boolean().default(false),
    attendingLocation: plainText(100).optional(),
    dominantHand: z.enum(['Left', 'Right']).optional(),
    reason: plainText(500, 0).optional(),
  })
  .strict()
  .refine((v) => v.override || !v.allowOverCapacity, {
    message: 'allowOverCapacity needs override: true',
    path: ['allowOverCapacity'],
  });
export type AdminCreateBookingInput = z.infer<typeof adminCreateBookingInput>;

export const adminRebookInput = z
  .object({
    bookingId: z.uuid(),
    /** The session to move it to: same type, not started. */
    examId: examIdField,
    reason: plainText(500, 0).optional(),
  })
  .strict();
export type AdminRebookInput = z.infer<typeof adminRebookInput>;
