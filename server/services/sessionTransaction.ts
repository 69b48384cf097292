import type { Transaction } from '../../db/client';
import type { InnerContext } from '../context';
import { ExamFullError } from '../errors';
import { redisKeys } from '../redis/keys';
import { wakeWaiters, withLock } from '../redis/lock';
import { type SeatCount, seatCountEntries } from '../redis/seatCounters';

/** A transaction's answer plus the seat count to mirror into Redis once it has committed. */
export interface Outcome<T> {
  result: T;
  seats?: SeatCount | undefined;
}

/**
 * Runs `work` as one booking transaction while holding the session's lock (queue, then Redis), and
 * mirrors into Redis the seat count it proved: after the commit, or the count that made it refuse a
 * full session, so a drifted counter heals and the next caller is turned away early.
 */
export async function inSessionTransaction<T>(
  // Students and admins alike: the lock and the transaction are the session's, whoever acts.
  ctx: Pick<InnerContext, 'config' | 'kv' | 'logger' | 'bookingTransaction'>,
  examId: string,
  work: (tx: Transaction) => Promise<Outcome<T>>,
  beforeRetry?: () => Promise<T | undefined>,
): Promise<T> {
  return inSessionLock(ctx, examId, () => ctx.bookingTransaction(work), beforeRetry);
}

/**
 * The same lock and mirroring around `work` that commits by itself: a single statement (book_seat)
 * is its own transaction, one round trip instead of BEGIN, the statement and COMMIT.
 */
export async function inSessionLock<T>(
  ctx: Pick<InnerContext, 'config' | 'kv' | 'logger'>,
  examId: string,
  work: () => Promise<Outcome<T>>,
  beforeRetry?: () => Promise<T | undefined>,
): Promise<T> {
  const { lockTtlMs, lockWaitMs, seatCounterTtlMs } = ctx.config.booking;
  const lockKey = redisKeys.examLock(examId);
  const lock = { ttlMs: lockTtlMs, waitMs: lockWaitMs, beforeRetry };
  return withLock(ctx.kv, lockKey, lock, ctx.logger, async (release) => {
    // The seat count goes to Redis in the lock's release call (one round trip for both). Once it
    // says full, the line behind us can be answered from it: wake it all at once.
    const mirror = (seats: SeatCount) => {
      release.write({ entries: seatCountEntries([seats]), ttlMs: seatCounterTtlMs });
      if (seats.totalBookings >= seats.capacity) release.after(() => wakeWaiters(lockKey));
    };
    let outcome: Outcome<T>;
    try {
      outcome = await work();
    } catch (err) {
      if (err instanceof ExamFullError) mirror(err.seats);
      throw err;
    }
    if (outcome.seats) mirror(outcome.seats);
    return outcome.result;
  });
}
