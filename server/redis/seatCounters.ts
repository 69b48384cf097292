import type { Logger } from '../logger';
import { redisKeys } from './keys';
import type { KeyValueStore } from './store';

export interface SeatCount {
  examId: string;
  totalBookings: number;
  capacity: number;
}

/**
 * Cached seat counts, for listings and for answering EXAM_FULL without Postgres. A miss, or Redis
 * being down, yields null: callers then use the database, which stays the source of truth.
 */
export async function readSeatCounts(
  kv: KeyValueStore,
  examIds: string[],
  log: Logger,
): Promise<Map<string, SeatCount>> {
  const found = new Map<string, SeatCount>();
  if (examIds.length === 0) return found;
  try {
    const values = await kv.getNumbers(
      examIds.flatMap((id) => [redisKeys.examBookings(id), redisKeys.examCapacity(id)]),
    );
    examIds.forEach((examId, i) => {
      const totalBookings = values[2 * i];
      const capacity = values[2 * i + 1];
      if (totalBookings != null && capacity != null && Number.isFinite(totalBookings) && Number.isFinite(capacity)) {
        found.set(examId, { examId, totalBookings, capacity });
      }
    });
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'seat counters unavailable: using the database');
  }
  return found;
}

/** The Redis values that mirror these counts. */
export const seatCountEntries = (counts: SeatCount[]): Array<readonly [string, number]> =>
  counts.flatMap((c) => [
    [redisKeys.examBookings(c.examId), c.totalBookings] as const,
    [redisKeys.examCapacity(c.examId), c.capacity] as const,
  ]);

/** Mirrors counts read from Postgres into Redis (self-healing any drift); failures are only logged. */
export async function writeSeatCounts(
  kv: KeyValueStore,
  counts: SeatCount[],
  ttlMs: number,
  log: Logger,
): Promise<void> {
  try {
    await kv.setNumbers(seatCountEntries(counts), ttlMs);
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'seat counters not updated: Redis unavailable');
  }
}
