// The waitlist procedures' inputs: validated by the router (zod), typed for the service.
import { z } from 'zod';
import { bookingDetailsFields } from './bookings';
import { examIdField } from './exams';

export const joinWaitlistInput = z
  .object({
    examId: examIdField,
    /** Booked automatically when a seat frees (the default); false: offered a hold to claim instead. */
    autoBook: z.boolean().default(true),
    /** The per-type details bookings.create takes, used when the seat is booked for the student. */
    ...bookingDetailsFields,
  })
  .strict();
export type JoinWaitlistInput = z.infer<typeof joinWaitlistInput>;

/** One place in line per student and session: the session names it. */
export const waitlistExamInput = z.object({ examId: examIdField }).strict();
export type WaitlistExamInput = z.infer<typeof waitlistExamInput>;
