import type { Transaction } from '../../db/client';
import {
  type BookingCursor,
  type BookingView,
  findActiveDuplicate,
  findBookingByIdempotencyKey,
  findOwnBooking,
  insertBooking,
  listOwnBookings,
  lockOwnBooking,
  markCancelled,
} from '../../db/queries/bookings';
import { adjustBalance, findBalances, lockBalances } from '../../db/queries/contacts';
import { countActiveBookings, lockExam, satisfiedPrerequisites, setTotalBookings } from '../../db/queries/exams';
import type { CreditBalances } from '../../db/schema/credits';
import type { StudentSession } from '../auth/session';
import type { InnerContext } from '../context';
import type { CancelBookingInput, CreateBookingInput, ListBookingsInput } from '../contracts/bookings';
import { DomainError, uniqueViolationOf } from '../errors';
import { redisKeys } from '../redis/keys';
import { withLock } from '../redis/lock';
import { readSeatCounts, type SeatCount, writeSeatCounts } from '../redis/seatCounters';
import { formatBookingCode } from './bookingCode';
import { availableFor, chooseCredit, refundColumnFor, ruleFor } from './creditRules';
import { studentGone } from './credits';
import { bookability } from './exams';

type StudentContext = InnerContext & { user: StudentSession };

/** A transaction's answer plus the seat count to mirror into Redis once it has committed. */
interface Outcome<T> {
  result: T;
  seats?: SeatCount;
}

/** EXAM_FULL found inside the transaction, carrying the true count so the Redis counter can heal. */
class SessionFullError extends DomainError {
  constructor(readonly seats: SeatCount) {
    super('EXAM_FULL', 'This session is full.', { capacity: seats.capacity });
  }
}

const DUPLICATE_INDEX = 'hubspot_bookings_one_active_per_contact_date_type';
const IDEMPOTENCY_INDEX = 'hubspot_bookings_idempotency_key_unique';

/** Keys are per student: two students choosing the same key never collide or see each other. */
const scopedIdempotencyKey = (contactId: string, key: string) => `${contactId}:${key}`;

function creditsRemaining(mockType: string | null, balances: CreditBalances): number {
  const rule = mockType ? ruleFor(mockType) : undefined;
  return rule ? availableFor(rule, balances).available : 0;
}

function createdView(booking: BookingView, balances: CreditBalances) {
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

/** A repeat of the same request returns the first answer; the same key with other input is refused. */
async function replayFor(
  ctx: StudentContext,
  db: InnerContext['db'] | Transaction,
  key: string,
  input: CreateBookingInput,
) {
  const existing = await findBookingByIdempotencyKey(db, key);
  if (!existing) return undefined;
  const sameRequest =
    existing.examId === input.examId &&
    existing.attendingLocation === (input.attendingLocation ?? null) &&
    existing.dominantHand === (input.dominantHand ?? null);
  if (!sameRequest) {
    throw new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used for a different booking request.',
    );
  }
  const balances = await findBalances(db, ctx.user.contactId);
  if (!balances) throw studentGone();
  return createdView(existing, balances);
}

/**
 * Answers from Redis alone when it can: a replay of a request already served, or EXAM_FULL when the
 * mirrored counter says no seat is left. Runs before and while waiting for the lock, so a stampede
 * on a filled session drains without queueing for it. Never books: that takes the transaction.
 */
async function settledWithoutLock(
  ctx: StudentContext,
  input: CreateBookingInput,
  key: string | undefined,
): Promise<CreatedBooking | undefined> {
  const seats = (await readSeatCounts(ctx.kv, [input.examId], ctx.logger)).get(input.examId);
  if (!seats || seats.totalBookings < seats.capacity) return undefined;
  const replay = key ? await replayFor(ctx, ctx.db, key, input) : undefined;
  if (replay) return replay;
  throw new DomainError('EXAM_FULL', 'This session is full.', { capacity: seats.capacity });
}

async function bookInTransaction(
  tx: Transaction,
  ctx: StudentContext,
  input: CreateBookingInput,
  key: string | undefined,
): Promise<Outcome<CreatedBooking>> {
  const { user } = ctx;
  const now = ctx.now();
  // Lock order everywhere: session row, then booking row, then student row. No deadlocks.
  const exam = await lockExam(tx, input.examId);
  if (!exam) throw new DomainError('EXAM_NOT_FOUND', 'That session does not exist.');

  if (key) {
    const replay = await replayFor(ctx, tx, key, input);
    if (replay) return { result: replay };
  }

  const window = bookability(exam, now);
  if (window !== 'open') {
    const why = {
      inactive: 'is not open for booking',
      'not-yet-open': 'has not opened for booking yet',
      started: 'has already started',
    }[window];
    throw new DomainError('EXAM_NOT_BOOKABLE', `This session ${why}.`, { reason: window });
  }
  const rule = ruleFor(exam.mockType);
  if (!rule)
    throw new DomainError('EXAM_NOT_BOOKABLE', `Sessions of type "${exam.mockType}" cannot be booked online.`, {
      reason: 'unknown-type',
    });

  const taken = await countActiveBookings(tx, exam.examId);
  const seats = { examId: exam.examId, capacity: exam.capacity };
  if (taken >= exam.capacity) {
    throw new SessionFullError({ ...seats, totalBookings: taken });
  }

  const duplicate = await findActiveDuplicate(tx, user.contactId, exam.examDate, exam.mockType);
  if (duplicate) {
    throw new DomainError('DUPLICATE_BOOKING', `You already have a ${exam.mockType} booking on ${exam.examDate}.`, {
      bookingId: duplicate.bookingId,
    });
  }

  const prerequisites = exam.prerequisiteExamIds ?? [];
  if (prerequisites.length > 0) {
    const satisfied = await satisfiedPrerequisites(tx, user.contactId, prerequisites);
    const missing = prerequisites.filter((id) => !satisfied.has(id));
    if (missing.length > 0) {
      throw new DomainError(
        'PREREQUISITES_NOT_MET',
        'This discussion needs a booking on the sessions it reviews first.',
        { missingExamIds: missing },
      );
    }
  }

  const balances = await lockBalances(tx, user.contactId);
  if (!balances) throw studentGone();
  const credit = chooseCredit(rule, balances);
  if (!credit) {
    throw new DomainError(
      'INSUFFICIENT_CREDITS',
      `You have no credits left for ${exam.mockType} sessions.`,
      availableFor(rule, balances),
    );
  }
  const remaining = await adjustBalance(tx, user.contactId, credit.column, -1);

  const booking = await insertBooking(tx, {
    bookingId: formatBookingCode(exam.mockType, user.studentId, exam.examDate),
    idempotencyKey: key ?? null,
    associatedContactId: user.contactId,
    associatedMockExam: exam.examId,
    studentId: user.studentId,
    name: user.name,
    studentEmail: user.email,
    isActive: 'Active',
    examDate: exam.examDate,
    startTime: exam.startTime,
    endTime: exam.endTime,
    mockType: exam.mockType,
    mockSet: exam.mockSet,
    tokenUsed: credit.token,
    attendingLocation: input.attendingLocation ?? null,
    dominantHand: input.dominantHand ?? null,
  });
  await setTotalBookings(tx, exam.examId, taken + 1);
  return { result: createdView(booking, remaining), seats: { ...seats, totalBookings: taken + 1 } };
}

/** Constraint violations that lost a race with a concurrent request, as the answer the loser gets. */
function raceLoss(err: unknown): DomainError | undefined {
  const constraint = uniqueViolationOf(err);
  if (constraint === DUPLICATE_INDEX)
    return new DomainError('DUPLICATE_BOOKING', 'You already have a booking of this type on that date.');
  if (constraint === IDEMPOTENCY_INDEX)
    return new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used for a different booking request.',
    );
  return undefined;
}

export async function createBooking(ctx: StudentContext, input: CreateBookingInput): Promise<CreatedBooking> {
  const key = input.idempotencyKey ? scopedIdempotencyKey(ctx.user.contactId, input.idempotencyKey) : undefined;
  const early = await settledWithoutLock(ctx, input, key);
  if (early) return early;

  const { lockTtlMs, lockWaitMs, seatCounterTtlMs } = ctx.config.booking;
  return withLock(
    ctx.kv,
    redisKeys.examLock(input.examId),
    { ttlMs: lockTtlMs, waitMs: lockWaitMs, beforeRetry: () => settledWithoutLock(ctx, input, key) },
    ctx.logger,
    async () => {
      let outcome: Outcome<CreatedBooking>;
      try {
        outcome = await ctx.bookingTransaction((tx) => bookInTransaction(tx, ctx, input, key));
      } catch (err) {
        // A full session's true count heals a drifted counter, so the next caller is turned away early.
        if (err instanceof SessionFullError) await writeSeatCounts(ctx.kv, [err.seats], seatCounterTtlMs, ctx.logger);
        throw raceLoss(err) ?? err;
      }
      if (outcome.seats) await writeSeatCounts(ctx.kv, [outcome.seats], seatCounterTtlMs, ctx.logger);
      return outcome.result;
    },
  );
}

export async function cancelBooking(ctx: StudentContext, input: CancelBookingInput) {
  const { user } = ctx;
  const found = await findOwnBooking(ctx.db, user.contactId, input.bookingId);
  if (!found) throw new DomainError('BOOKING_NOT_FOUND', 'No such booking.');

  const { lockTtlMs, lockWaitMs, seatCounterTtlMs } = ctx.config.booking;
  return withLock(
    ctx.kv,
    redisKeys.examLock(found.examId),
    { ttlMs: lockTtlMs, waitMs: lockWaitMs },
    ctx.logger,
    async () => {
      const outcome = await ctx.bookingTransaction(async (tx) => {
        const now = ctx.now();
        const exam = await lockExam(tx, found.examId);
        const booking = await lockOwnBooking(tx, user.contactId, input.bookingId);
        if (!booking) throw new DomainError('BOOKING_NOT_FOUND', 'No such booking.');
        if (booking.isActive !== 'Active') {
          throw new DomainError(
            'BOOKING_NOT_CANCELLABLE',
            `This booking is already ${booking.isActive.toLowerCase()}.`,
            { status: booking.isActive },
          );
        }
        const cutoffMs = ctx.config.booking.cancellationCutoffMs;
        if (booking.startTime && now.getTime() >= booking.startTime.getTime() - cutoffMs) {
          throw new DomainError(
            'BOOKING_NOT_CANCELLABLE',
            'This session has started or is past its cancellation cutoff.',
            { cutoffHours: cutoffMs / 3_600_000 },
          );
        }

        const refundColumn = refundColumnFor(booking.tokenUsed);
        const cancelled = await markCancelled(tx, booking.bookingId, {
          refunded: Boolean(refundColumn),
          reason: input.reason,
          now,
        });
        if (!cancelled) throw new DomainError('BOOKING_NOT_CANCELLABLE', 'This booking was already cancelled.');
        const balances = refundColumn
          ? await adjustBalance(tx, user.contactId, refundColumn, +1)
          : await lockBalances(tx, user.contactId);

        let seats: SeatCount | undefined;
        if (exam) {
          const taken = await countActiveBookings(tx, exam.examId);
          await setTotalBookings(tx, exam.examId, taken);
          seats = { examId: exam.examId, capacity: exam.capacity, totalBookings: taken };
        }
        return {
          result: {
            bookingId: booking.bookingId,
            status: 'Cancelled' as const,
            creditRefunded: refundColumn ? booking.tokenUsed : null,
            creditsRemaining: balances ? creditsRemaining(booking.mockType, balances) : 0,
          },
          seats,
        };
      });
      if (outcome.seats) await writeSeatCounts(ctx.kv, [outcome.seats], seatCounterTtlMs, ctx.logger);
      return outcome.result;
    },
  );
}

type ListedBooking = Awaited<ReturnType<typeof listOwnBookings>>[number];

/** The student-facing view: a past Active booking reads as Completed. */
function bookingView(row: Omit<ListedBooking, 'sortKey'>, now: Date) {
  const { contactId: _owner, idempotencyKey: _key, isActive, ...rest } = row;
  const past = row.startTime !== null && row.startTime <= now;
  return {
    ...rest,
    bookingCode: row.bookingCode ?? '',
    status: isActive === 'Active' && past ? ('Completed' as const) : (isActive as 'Active' | 'Cancelled' | 'Completed'),
  };
}

const encodeCursor = (c: BookingCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(raw: string): BookingCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<BookingCursor>;
    if (
      typeof parsed.sortKey === 'string' &&
      typeof parsed.bookingId === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed.bookingId)
    ) {
      return { sortKey: parsed.sortKey, bookingId: parsed.bookingId };
    }
  } catch {
    // fall through to the typed error
  }
  throw new DomainError('VALIDATION_FAILED', 'The cursor is not one this service issued.', { field: 'cursor' });
}

export async function listMyBookings(ctx: StudentContext, input: ListBookingsInput) {
  const now = ctx.now();
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await listOwnBookings(ctx.db, ctx.user.contactId, {
    filter: input.filter,
    now,
    cursor,
    limit: input.limit,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _sortKey, ...row }) => bookingView(row, now)),
    nextCursor:
      rows.length > input.limit && last ? encodeCursor({ sortKey: last.sortKey, bookingId: last.bookingId }) : null,
  };
}

export async function getMyBooking(ctx: StudentContext, bookingId: string) {
  const row = await findOwnBooking(ctx.db, ctx.user.contactId, bookingId);
  if (!row) throw new DomainError('BOOKING_NOT_FOUND', 'No such booking.');
  return bookingView(row, ctx.now());
}
