import pLimit, { type LimitFunction } from 'p-limit';
import { watchLaneWaiting } from '../metrics/http';

/**
 * At most `maxActive` of the lane's calls run at once; the others wait in arrival order, holding only
 * their socket and Express's request and response. Why: in a release every student's call arrives in
 * the same second, and a running call keeps ~24 KB alive (its context, logger, tRPC middleware chain,
 * pending Redis and Postgres commands; heap snapshots of `npm run bench`). A thousand of them at once
 * made the heap, and V8's growth of it, the largest part of an instance's peak RSS. Past the Postgres
 * pool and the one Redis connection they share, more calls at once do not finish sooner.
 *
 * No call waits behind one that cannot finish: a session lock's holder is itself a running call, and
 * a waiter for that lock gives up after BOOKING_LOCK_WAIT_MS (BUSY).
 */
export function laneAdmission(maxActive: number): LimitFunction {
  const gate = pLimit(maxActive);
  watchLaneWaiting(() => gate.pendingCount);
  return gate;
}
