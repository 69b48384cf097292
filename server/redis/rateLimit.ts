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
