import { uniqueViolationOf } from '../../db/pgErrors';
import { findOwnBooking } from '../../db/queries/bookings';
import { findSeatCounts } from '../../db/queries/exams';
import type { StudentContext } from '../context';
import type { CancelBookingInput, CreateBookingInput } from '../contracts/bookings';
import { type DomainError, errors } from '../errors';
import { freshBatchReads } from '../lib/freshBatchReads';
import { redisKeys } from '../redis/keys';
import { enforceRateLimits } from '../redis/rateLimit';
import { readSeatCounts, writeSeatCounts } from '../redis/seatCounters';
import { bookInOneStatement } from './bookInOneStatement';
import type { CreatedBooking } from './bookingViews';
import { cancelInTransaction } from './cancelInTransaction';
import { replayFor, scopedIdempotencyKey } from './idempotency';
import { inSessionLock, inSessionTransaction } from './sessionTransaction';

const DUPLICATE_INDEX = 'hubspot_bookings_one_active_per_contact_exam';
const IDEMPOTENCY_INDEX = 'hubspot_bookings_idempotency_key_unique';

/** Constraint violations that lost a race with a concurrent request, as the answer the loser gets. */
function raceLoss(err: unknown): DomainError | undefined {
  const constraint = uniqueViolationOf(err);
  if (constraint === DUPLICATE_INDEX) return errors.duplicateBookingRace();
  if (constraint === IDEMPOTENCY_INDEX) return errors.idempotencyKeyReused();
  return undefined;
}

type SeatCounts = Awaited<ReturnType<typeof findSeatCounts>>[number];
/** Per database: the seat counts read for concurrent callers (freshBatchReads says how). */
const sharedSeatReads = new WeakMap<object, (examId: string) => Promise<SeatCounts | undefined>>();

/**
 * The session's capacity and seat count, read after the caller arrived. When sessions fill, their
 * whole lines ask at once (wakeWaiters); they share one read per round trip, for all their sessions,
 * instead of one each.
 */
function freshSeatCounts(ctx: StudentContext, examId: string): Promise<SeatCounts | undefined> {
  let reads = sharedSeatReads.get(ctx.db);
  if (!reads) {
    const { db } = ctx;
    reads = freshBatchReads(async (examIds) => new Map((await findSeatCounts(db, examIds)).map((r) => [r.examId, r])));
    sharedSeatReads.set(db, reads);
  }
  return reads(examId);
}

/**
 * Answers without the lock when it can: a replay of a request already served, or EXAM_FULL when the
 * session is full. Runs before and while waiting for the lock, so a stampede on a filled session
 * drains without queueing for it. The Redis mirror says "seats left" at no cost; a "full" from it is
 * confirmed against the session row (one indexed read, no lock) before anyone is refused, so a
 * capacity raised by an admin or by SQL is bookable at once. Never books: that takes the transaction.
 */
async function settledWithoutLock(
  ctx: StudentContext,
  input: CreateBookingInput,
  key: string | undefined,
  counts = readSeatCounts(ctx.kv, [input.examId], ctx.logger),
): Promise<CreatedBooking | undefined> {
  const cached = (await counts).get(input.examId);
  if (!cached || cached.totalBookings < cached.capacity) return undefined;
  const seats = await freshSeatCounts(ctx, input.examId);
  if (!seats) return undefined; // the transaction answers EXAM_NOT_FOUND
  if (seats.totalBookings < seats.capacity) {
    await writeSeatCounts(ctx.kv, [seats], ctx.config.booking.seatCounterTtlMs, ctx.logger);
    return undefined;
  }
  const replay = key ? await replayFor(ctx, ctx.db, key, input) : undefined;
  if (replay) return replay;
  throw errors.examFull(seats);
}

export async function createBooking(ctx: StudentContext, input: CreateBookingInput): Promise<CreatedBooking> {
  // Each attempt can hold a session's lock and a pool connection: one student cannot hammer them.
  const { perStudentPerMinute } = ctx.config.bookingRateLimit;
  const attempts = redisKeys.bookingAttemptsByStudent(ctx.user.contactId);
  // Asked in the same tick as the rate limit, so both leave in one Redis write (auto-pipelining);
  // read only once the limit has let this attempt through. readSeatCounts never rejects.
  const counts = readSeatCounts(ctx.kv, [input.examId], ctx.logger);
  await enforceRateLimits(ctx.kv, [{ key: attempts, perMinute: perStudentPerMinute }], ctx.logger);
  const key = input.idempotencyKey ? scopedIdempotencyKey(ctx.user.contactId, input.idempotencyKey) : undefined;
  const early = await settledWithoutLock(ctx, input, key, counts);
  if (early) return early;
  try {
    // One statement under the session's lock (bookInOneStatement says why it stays exact without it).
    return await inSessionLock(
      ctx,
      input.examId,
      () => bookInOneStatement(ctx, input, key),
      () => settledWithoutLock(ctx, input, key),
    );
  } catch (err) {
    throw raceLoss(err) ?? err;
  }
}

export async function cancelBooking(ctx: StudentContext, input: CancelBookingInput) {
  // Found outside the lock only to learn which session's lock to take; checked again inside it.
  const found = await findOwnBooking(ctx.db, { contactId: ctx.user.contactId, bookingId: input.bookingId });
  if (!found) throw errors.bookingNotFound();
  return inSessionTransaction(ctx, found.examId, (tx) => cancelInTransaction(tx, ctx, found.examId, input));
}
