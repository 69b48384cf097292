import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors';
import type { Logger } from '../logger';
import { sleep } from '../time';
import type { KeyValueStore } from './store';

export interface LockOptions<T> {
  ttlMs: number;
  /** Longest time to wait for the lock before answering BUSY. */
  waitMs: number;
  /**
   * Called between attempts: may end the wait early with a better answer than BUSY, by returning
   * one (a replay of a request already served) or by throwing (EXAM_FULL once the seat counter says
   * there is nothing left to wait for).
   */
  beforeRetry?: () => Promise<T | undefined>;
}

/** Jittered backoff between attempts: 5 ms growing to at most 50 ms, so waiters do not move in step. */
const backoffMs = (attempt: number) => 5 + Math.random() * Math.min(45, 5 * 2 ** attempt);

/**
 * Runs `work` while holding `key`: random token, TTL in milliseconds, compare-and-delete release in
 * `finally`, bounded jittered wait, and no pool connection held while waiting (the caller opens its
 * transaction inside `work`). When the store itself is unreachable, `work` runs without the lock:
 * Postgres row locks keep it correct, only slower, and the outage is logged.
 */
export async function withLock<T>(kv: KeyValueStore, key: string, options: LockOptions<T>, log: Logger, work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    let acquired: boolean;
    try {
      acquired = await kv.tryLock(key, token, options.ttlMs);
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, 'lock store unavailable: relying on Postgres row locks');
      return work();
    }
    if (acquired) {
      try {
        return await work();
      } finally {
        await kv.unlock(key, token).catch((err: unknown) => log.warn({ err, key }, 'lock release failed; it expires by its TTL'));
      }
    }
    const settled = await options.beforeRetry?.();
    if (settled !== undefined) return settled;
    if (Date.now() >= deadline) throw new DomainError('BUSY', 'Too many people are booking this session right now; please try again.');
    await sleep(backoffMs(attempt));
  }
}
