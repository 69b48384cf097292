// The bookings procedures' inputs: validated by the router (zod), typed for the service; both import them from here.
import { z } from 'zod';
import { examIdField } from './exams';
import { plainText } from './fields';

export const DOMINANT_HANDS = ['Left', 'Right'] as const;
export const DISCUSSION_FORMATS = ['Virtual', 'In Person'] as const;

/**
 * The per-type details of a booking (docs/DOMAIN.md "Booking details"): which of them a session needs,
 * and which values it accepts, is the service's to judge (it knows the type and ATTENDING_LOCATIONS).
 */
export const bookingDetailsFields = {
  /** Clinical Skills: stored exactly as given. */
  dominantHand: z.enum(DOMINANT_HANDS).optional(),
  /** Situational Judgment and Mini-mock: one of ATTENDING_LOCATIONS. */
  attendingLocation: plainText(100).optional(),
  /** Mock Discussion, optional: Virtual when not sent. */
  discussionFormat: z.enum(DISCUSSION_FORMATS).optional(),
};

export const createBookingInput = z
  .object({
    examId: examIdField,
    /**
     * Same key + same input ⇒ the same booking, however often it is sent. The characters are fixed:
     * '#' (and anything else outside them) marks keys freed by a cancellation, which no client may name.
     */
    idempotencyKey: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[\w:.-]+$/, 'letters, digits and - _ : . only')
      .optional(),
    ...bookingDetailsFields,
  })
  .strict();
export type CreateBookingInput = z.infer<typeof createBookingInput>;

export const listBookingsInput = z
  .object({
    filter: z.enum(['upcoming', 'past', 'cancelled', 'all']).default('all'),
    cursor: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .default({ filter: 'all', limit: 20 });
export type ListBookingsInput = z.infer<typeof listBookingsInput>;

export const bookingIdInput = z.object({ bookingId: z.uuid() }).strict();

export const cancelBookingInput = z
  .object({
    bookingId: z.uuid(),
    reason: plainText(500, 0).optional(),
  })
  .strict();
export type CancelBookingInput = z.infer<typeof cancelBookingInput>;
