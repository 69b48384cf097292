import type { Transaction } from '../../db/client';
import { activeDependentsOf, lockOwnBooking, markCancelled } from '../../db/queries/bookings';
import { adjustBalance, lockBalances } from '../../db/queries/contacts';
import { lockExam, setTotalBookings } from '../../db/queries/exams';
import type { StudentContext } from '../context';
import type { CancelBookingInput } from '../contracts/bookings';
import { errors } from '../errors';
import type { SeatCount } from '../redis/seatCounters';
import { recordChanges } from '../sync/outbox';
import { creditsRemaining } from './bookingViews';
import { refundColumnFor } from './creditRules';
import type { Outcome } from './sessionTransaction';
import { promoteWaitlist, waitlistSettings } from './waitlistPromotion';

/**
 * One cancellation, inside one transaction: the same lock order as a booking (session row, booking
 * row, student row), a refund of exactly the credit spent, once, and the session's count rewritten.
 */
export async function cancelInTransaction(
  tx: Transaction,
  ctx: StudentContext,
  examId: string,
  input: CancelBookingInput,
) {
  const now = ctx.now();
  const exam = await lockExam(tx, examId);
  const booking = await requireCancellable(tx, ctx, input.bookingId, exam, now);
  const { contactId } = ctx.user;
  // The student's row next (the lock order), and only then the dependents: booking a discussion
  // checks its prerequisites under this same row lock, so the two cannot pass each other.
  if (!(await lockBalances(tx, contactId))) throw errors.studentGone();
  await requireNoDependentDiscussion(tx, contactId, booking.examId);

  const refundColumn = refundColumnFor(booking.tokenUsed);
  const cancelled = await markCancelled(tx, {
    bookingId: booking.bookingId,
    refunded: Boolean(refundColumn),
    reason: input.reason,
    now,
  });
  if (!cancelled) throw errors.alreadyCancelled();
  // Admin Override spent nothing and gets nothing back.
  const balances = refundColumn
    ? await adjustBalance(tx, { contactId, column: refundColumn, delta: +1 })
    : await lockBalances(tx, contactId);
  // HubSpot learns of the cancellation (and the refund) in this same transaction (docs/SYNC.md).
  await recordChanges(tx, [
    { object: 'booking', id: booking.bookingId, change: 'cancelled' },
    ...(refundColumn
      ? [{ object: 'contact' as const, id: contactId, change: 'credits' as const, column: refundColumn, delta: 1 }]
      : []),
    ...(exam ? [{ object: 'exam' as const, id: exam.examId, change: 'total_bookings' as const }] : []),
  ]);

  const outcome = {
    bookingId: booking.bookingId,
    status: 'Cancelled' as const,
    creditRefunded: refundColumn ? booking.tokenUsed : null,
    creditsRemaining: balances ? creditsRemaining(exam ? exam.mockType : booking.mockType, balances) : 0,
  };
  return { result: outcome, seats: exam ? await passSeatOn(tx, ctx, exam) : undefined } satisfies Outcome<
    typeof outcome
  >;
}

type LockedExam = Awaited<ReturnType<typeof lockExam>>;

/**
 * My booking, still Active, and not past the cancellation cutoff (nor started). The cutoff is counted
 * from the LOCKED session row's start, never the booking's copy (NULL on bookings the old RPC wrote,
 * stale once a session moves earlier); the copy stands in only when the session row is gone.
 */
async function requireCancellable(
  tx: Transaction,
  ctx: StudentContext,
  bookingId: string,
  exam: LockedExam,
  now: Date,
) {
  const booking = await lockOwnBooking(tx, { contactId: ctx.user.contactId, bookingId });
  if (!booking) throw errors.bookingNotFound();
  if (booking.isActive !== 'Active') throw errors.bookingClosed(booking.isActive);
  const cutoffMs = ctx.config.booking.cancellationCutoffMs;
  // A session without a start time is cut off from the start of its date.
  const startTime = exam ? (exam.startTime ?? new Date(`${exam.examDate}T00:00:00Z`)) : booking.startTime;
  if (startTime && now.getTime() >= startTime.getTime() - cutoffMs) {
    throw errors.pastCancellationCutoff(cutoffMs / 3_600_000);
  }
  return booking;
}

/**
 * A booking an Active Mock Discussion booking of the student depends on (its session is listed in the
 * discussion's prerequisites) stays until the discussion is cancelled: otherwise "book the
 * prerequisite, book the discussion, cancel the prerequisite" gets the discussion for a refunded
 * credit. The school's policy: the student cancels the discussion first; an admin may cancel both.
 */
export async function requireNoDependentDiscussion(tx: Transaction, contactId: string, examId: string) {
  const dependents = await activeDependentsOf(tx, { contactId, examId });
  if (dependents.length > 0) throw errors.prerequisiteInUse(dependents.map((d) => d.bookingId));
}

/**
 * The freed seat goes to the session's waitlist in this same transaction, under the session row lock
 * it already holds (no one else can take it in between), then total_bookings is rewritten from the
 * rows; the count to mirror into Redis.
 */
async function passSeatOn(tx: Transaction, ctx: StudentContext, exam: NonNullable<LockedExam>): Promise<SeatCount> {
  const { seats } = await promoteWaitlist(tx, exam, waitlistSettings(ctx));
  await setTotalBookings(tx, { examId: exam.examId, total: seats.totalBookings });
  return seats;
}
