import type { BookingView, listOwnBookings } from '../../db/queries/bookings';
import type { CreditBalances } from '../../db/schema/credits';
import { availableFor, ruleFor } from './creditRules';

/** What the student can still spend on this type: the API's `creditsRemaining`. */
export function creditsRemaining(mockType: string | null, balances: CreditBalances): number {
  const rule = mockType ? ruleFor(mockType) : undefined;
  return rule ? availableFor(rule, balances).available : 0;
}

/** The answer to `bookings.create` (and to every replay of the same request). */
export function createdView(
  booking: Pick<
    BookingView,
    'bookingId' | 'bookingCode' | 'examId' | 'examDate' | 'mockType' | 'startTime' | 'endTime' | 'tokenUsed'
  >,
  balances: CreditBalances,
) {
  return {
    bookingId: booking.bookingId,
    bookingCode: booking.bookingCode ?? '',
    examId: booking.examId,
    examDate: booking.examDate,
    mockType: booking.mockType,
    startTime: booking.startTime,
    endTime: booking.endTime,
    tokenUsed: booking.tokenUsed,
    creditsRemaining: creditsRemaining(booking.mockType, balances),
  };
}
export type CreatedBooking = ReturnType<typeof createdView>;

type ListedBooking = Omit<Awaited<ReturnType<typeof listOwnBookings>>[number], 'sortKey'>;

/** The student-facing view of one of my bookings: a past Active booking reads as Completed. */
export function myBookingView(row: ListedBooking, now: Date) {
  const { contactId: _owner, idempotencyKey: _key, isActive, ...rest } = row;
  const past = row.startTime !== null && row.startTime <= now;
  return {
    ...rest,
    bookingCode: row.bookingCode ?? '',
    status: isActive === 'Active' && past ? 'Completed' : isActive,
  };
}
