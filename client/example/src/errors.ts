import { isAppError } from '@mocks-booking/client';

/**
 * What the student reads for an error: a friendlier sentence for the booking outcomes a student meets
 * often, otherwise the server's own message (it says what happened: "No student matches that student
 * ID and email." after a failed login, "Please log in…" when the session has ended).
 */
export function messageFor(error: unknown): string {
  if (isAppError(error, 'EXAM_FULL')) return 'This session is full.';
  if (isAppError(error, 'DUPLICATE_BOOKING')) return 'You already have a booking of this type on that day.';
  if (isAppError(error, 'INSUFFICIENT_CREDITS')) return 'You have no credits left for this type of session.';
  if (isAppError(error, 'BUSY')) return 'Many students are booking right now — please try again.';
  if (isAppError(error)) return error.message;
  return 'Something went wrong. Please try again.';
}
