import { isAppError } from '@mocks-booking/client';

/** What the student reads for each error the booking flow can meet. */
export function messageFor(error: unknown): string {
  if (isAppError(error, 'EXAM_FULL')) return 'This session is full.';
  if (isAppError(error, 'DUPLICATE_BOOKING')) return 'You already have a booking of this type on that day.';
  if (isAppError(error, 'INSUFFICIENT_CREDITS')) return 'You have no credits left for this type of session.';
  if (isAppError(error, 'UNAUTHENTICATED')) return 'Please log in first.';
  if (isAppError(error, 'BUSY')) return 'Many students are booking right now — please try again.';
  if (isAppError(error)) return error.message;
  return 'Something went wrong. Please try again.';
}
