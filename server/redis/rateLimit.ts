import { errors } from '../errors';
import type { Logger } from '../logger';
import type { KeyValueStore } from './store';

const MINUTE_MS = 60_000;

/**
 * Counts a hit against each limit (fixed one-minute windows, shared by all instances through Redis)
 * and throws RATE_LIMITED when any is exceeded. If the store is down the request is let through and
 * the outage logged: a Redis failure must not lock every student out.
 */
export async function enforceRateLimits(
  kv: KeyValueStore,
  limits: Array<{ key: string; perMinute: number }>,
  log: Logger,
): Promise<void> {
  for (const { key, perMinute } of limits) {
    let hit: { count: number; resetInMs: number };
    try {
      hit = await kv.countHit(key, MINUTE_MS);
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, 'rate limit store unavailable: allowing the request');
      return;
    }
    if (hit.count > perMinute) {
      throw errors.rateLimited({ retryAfterSeconds: Math.ceil(hit.resetInMs / 1000) });
    }
  }
}

/**
 * Failure counters: read before an attempt (without counting it) and counted only when it fails, so
 * a source's failures do not spend anyone else's budget. Redis down: read as zero (allowed), as above.
 */
export async function readFailureCounts(kv: KeyValueStore, keys: string[], log: Logger): Promise<number[]> {
  try {
    return (await kv.getNumbers(keys)).map((n) => n ?? 0);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'rate limit store unavailable: allowing the request');
    return keys.map(() => 0);
  }
}

export async function countFailures(kv: KeyValueStore, keys: string[], log: Logger): Promise<void> {
  try {
    await Promise.all(keys.map((key) => kv.countHit(key, MINUTE_MS)));
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'rate limit store unavailable: failure not counted');
  }
}

/** A failure counter over its limit: the window's remaining time is not read back; a minute bounds it. */
export const failuresOverLimit = () => errors.rateLimited({ retryAfterSeconds: MINUTE_MS / 1000 });
