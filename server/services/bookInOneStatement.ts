import { isConnectionLoss } from '../../db/pgErrors';
import { type BookSeatOutcome, bookSeat, type SeatDetails, type SeatExam } from '../../db/queries/bookSeat';
import { MOCK_TYPES } from '../../db/schema/statuses';
import type { StudentContext } from '../context';
import type { CreateBookingInput } from '../contracts/bookings';
import { errors } from '../errors';
import { bookInTransaction, requireBookable } from './bookInTransaction';
import { checkDetails, detailsFor } from './bookingDetails';
import { type CreatedBooking, createdView } from './bookingViews';
import { availableFor, ruleFor, SEAT_CREDIT_RULES } from './creditRules';
import { replayFor } from './idempotency';
import type { Outcome } from './sessionTransaction';

/**
 * The details this input makes for each session type it suits: book_seat picks the locked session's
 * type. A type the input does not suit is left out (book_seat then answers details_invalid), and its
 * field error is raised below with detailsFor itself, so the validation stays in one place.
 */
function detailsByType(input: CreateBookingInput, locations: readonly string[]): Record<string, SeatDetails> {
  const suited: Record<string, SeatDetails> = {};
  for (const type of MOCK_TYPES) {
    const checked = checkDetails(type, input, locations);
    if ('details' in checked) suited[type] = checked.details;
  }
  return suited;
}

/**
 * book_seat is one autocommit statement on a pooled connection. After a failover, a restart or a
 * password rotation the pool can hand out a connection that died while idle (issue 16): the statement
 * never reached a backend, and one retry on a fresh connection (pg destroys the dead one) is what the
 * transaction path does too. Should the connection instead die after book_seat committed, the retry is
 * still safe: the duplicate rule and the unique index allow one seat, the credit is spent only with it,
 * and the retry answers the idempotent replay (with a key) or DUPLICATE_BOOKING naming that booking.
 * A database that cannot be reached at all is not a lost connection and is not retried.
 */
async function onceMoreIfConnectionLost<T>(statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (err) {
    if (!isConnectionLoss(err)) throw err;
    return statement();
  }
}

/** The locked row book_seat saw, as bookability() and the errors read a session. */
const examOf = (exam: SeatExam) => ({
  ...exam,
  startTime: exam.startTime ? new Date(exam.startTime) : null,
  endTime: exam.endTime ? new Date(exam.endTime) : null,
  scheduledActivationDatetime: exam.scheduledActivationDatetime ? new Date(exam.scheduledActivationDatetime) : null,
});

/** Where book_seat and the app's own rule disagree: a bug, never an answer to guess. */
const disagreement = (outcome: string, exam: SeatExam) =>
  new Error(`book_seat answered ${outcome} for ${exam.examId}, which the app's rules do not explain`);

/**
 * A student's booking as ONE statement (book_seat, db/migrations/0011_book_seat_function.sql): one
 * round trip to Postgres instead of nine, with the same rules, row locks and order as
 * bookInTransaction (which admins and the waitlist still use, and which books here when the session's
 * waitlist has a line to settle first). Refusals are raised with the app's own errors from the figures
 * the function returns. Runs under the session's lock (inSessionLock), and is
 * exact without it: the function takes the session's and the student's row locks itself.
 */
export async function bookInOneStatement(
  ctx: StudentContext,
  input: CreateBookingInput,
  idempotencyKey: string | undefined,
): Promise<Outcome<CreatedBooking>> {
  const { booking: settings } = ctx.config;
  const now = ctx.now();
  const answer = await onceMoreIfConnectionLost(() =>
    bookSeat(ctx.bookingDb ?? ctx.db, {
      examId: input.examId,
      contactId: ctx.user.contactId,
      idempotencyKey: idempotencyKey ?? null,
      now,
      cutoffMs: settings.bookingCutoffMs,
      detailsByType: detailsByType(input, settings.attendingLocations),
      rulesByType: SEAT_CREDIT_RULES,
      session: { studentId: ctx.user.studentId, email: ctx.user.email, name: ctx.user.name },
    }),
  );
  return outcomeOf(ctx, input, idempotencyKey, now, answer);
}

async function outcomeOf(
  ctx: StudentContext,
  input: CreateBookingInput,
  idempotencyKey: string | undefined,
  now: Date,
  answer: BookSeatOutcome,
): Promise<Outcome<CreatedBooking>> {
  switch (answer.outcome) {
    case 'booked': {
      const { booking, balances, seats } = answer;
      const view = {
        ...booking,
        startTime: booking.startTime ? new Date(booking.startTime) : null,
        endTime: booking.endTime ? new Date(booking.endTime) : null,
      };
      return { result: createdView(view, balances), seats };
    }
    case 'exam_not_found':
      throw errors.examNotFound();
    case 'replay': {
      const replay = idempotencyKey ? await replayFor(ctx, ctx.db, idempotencyKey, input) : undefined;
      // The keyed booking was cancelled (which frees its key) since book_seat looked: book again.
      return replay ? { result: replay } : bookInOneStatement(ctx, input, idempotencyKey);
    }
    case 'not_bookable':
      requireBookable(examOf(answer.exam), now, ctx.config.booking.bookingCutoffMs);
      throw disagreement(answer.outcome, answer.exam);
    case 'details_invalid':
      detailsFor(answer.exam.mockType, input, ctx.config.booking.attendingLocations);
      throw disagreement(answer.outcome, answer.exam);
    case 'settle_waitlist':
      // The line comes first and promoting it is the transaction path's work (waitlistPromotion.ts).
      return ctx.bookingTransaction((tx) => bookInTransaction(tx, ctx, input, idempotencyKey));
    case 'full':
      throw errors.examFull({
        examId: answer.exam.examId,
        capacity: answer.exam.capacity,
        totalBookings: answer.taken,
      });
    case 'student_gone':
      throw errors.studentGone();
    case 'duplicate':
      throw errors.duplicateBooking({
        mockType: answer.exam.mockType,
        examDate: answer.exam.examDate,
        bookingId: answer.other.bookingId,
      });
    case 'time_conflict':
      throw errors.timeConflict(answer.other);
    case 'prerequisites':
      throw errors.prerequisitesNotMet(answer.missing);
    case 'no_credit': {
      const rule = ruleFor(answer.exam.mockType);
      if (!rule) throw disagreement(answer.outcome, answer.exam);
      throw errors.insufficientCredits(answer.exam.mockType, availableFor(rule, answer.balances));
    }
  }
}
