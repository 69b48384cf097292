import { randomUUID } from 'node:crypto';
import { errors } from '../errors';
import { sleep } from '../lib/time';
import type { Logger } from '../logger';
import { busyAnswers, lockWaitSeconds, lockWaits, watchLocalQueue } from '../metrics/bookings';
import { LocalQueues } from './localQueue';
import type { KeyValueStore, NumbersToSet } from './store';

export interface LockOptions<T> {
  ttlMs: number;
  /** Longest time to wait (in the local queue and for the shared lock together) before answering BUSY. */
  waitMs: number;
  /**
   * Called after waiting (behind local callers, or between attempts at the shared lock): may end the
   * wait early with a better answer than BUSY, by returning one (a replay of a request already
   * served) or by throwing (EXAM_FULL once the seat counter says there is nothing left to wait for).
   */
  beforeRetry?: () => Promise<T | undefined>;
}

/**
 * What the holder leaves behind when it lets go: values written in the release's own round trip
 * (one Redis call instead of two) and what to do once the lock is free.
 */
export interface Release {
  /** Sets these values with the release (the last call wins). */
  write(values: NumbersToSet): void;
  /** Runs once the lock has been released (or, without a shared lock, once the work ended). */
  after(fn: () => void): void;
}

function releasePlan() {
  let values: NumbersToSet | undefined;
  const afterwards: Array<() => void> = [];
  const handle: Release = {
    write: (v) => {
      values = v;
    },
    after: (fn) => void afterwards.push(fn),
  };
  return {
    handle,
    values: () => values,
    done: () => {
      for (const fn of afterwards) fn();
    },
  };
}

/** Jittered backoff between attempts: 5 ms growing to at most 50 ms, so instances do not move in step. */
const backoffMs = (attempt: number) => 5 + Math.random() * Math.min(45, 5 * 2 ** attempt);

/** One per process: callers on this instance queue here before one of them polls the shared lock. */
const localQueues = new LocalQueues();
watchLocalQueue(() => localQueues.length);

/** BUSY, counted: the answer a caller gets when its wait for the lock ran out. */
const busy = () => {
  busyAnswers.inc();
  return errors.sessionBusy();
};

/**
 * One call's wait for a lock, counted once it ends (lock obtained, BUSY, or settled early by
 * `beforeRetry`): only calls that queued behind a local caller or polled the shared lock again.
 */
function lockWait() {
  const startedAt = performance.now();
  let endedAt: number | undefined;
  let waited = false;
  return {
    waited: () => {
      waited = true;
    },
    ended: () => {
      endedAt ??= performance.now();
    },
    record: () => {
      endedAt ??= performance.now();
      if (!waited) return;
      lockWaits.inc();
      lockWaitSeconds.inc((endedAt - startedAt) / 1000);
    },
  };
}

/**
 * Runs `work` while holding `key`: first in this process's FIFO queue for the key, then under the
 * shared Redis lock (random token, TTL in milliseconds, compare-and-delete release in `finally`,
 * bounded jittered polling). No pool connection is held while waiting (the caller opens its
 * transaction inside `work`). When the store itself is unreachable, `work` runs without the shared
 * lock: Postgres row locks keep it correct, only slower, and the outage is logged.
 */
export async function withLock<T>(
  kv: KeyValueStore,
  key: string,
  options: LockOptions<T>,
  log: Logger,
  work: (release: Release) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  const wait = lockWait();
  try {
    return await localQueues.run(
      key,
      deadline,
      busy,
      async (queued) => {
        if (queued) {
          wait.waited();
          const settled = await options.beforeRetry?.();
          if (settled !== undefined) return settled;
        }
        return withSharedLock(kv, key, options, deadline, log, wait, (release) => {
          wait.ended();
          return work(release);
        });
      },
      settleEarly(options.beforeRetry, wait),
    );
  } finally {
    wait.record();
  }
}

/** beforeRetry for a caller woken in the local queue (wakeWaiters), counted as a wait like any other. */
const settleEarly = <T>(beforeRetry: (() => Promise<T | undefined>) | undefined, wait: { waited(): void }) =>
  beforeRetry &&
  (() => {
    wait.waited();
    return beforeRetry();
  });

/**
 * Wakes every caller of this process waiting in line for `key`, each then asking its `beforeRetry`
 * whether it can be answered without its turn. For the holder that just took the last seat: the
 * line behind it answers EXAM_FULL in parallel instead of one turn at a time.
 */
export const wakeWaiters = (key: string): void => localQueues.wake(key);

async function withSharedLock<T>(
  kv: KeyValueStore,
  key: string,
  options: LockOptions<T>,
  deadline: number,
  log: Logger,
  wait: { waited(): void },
  work: (release: Release) => Promise<T>,
): Promise<T> {
  const token = randomUUID();
  for (let attempt = 0; ; attempt++) {
    let acquired: boolean;
    const release = releasePlan();
    try {
      acquired = await kv.tryLock(key, token, options.ttlMs);
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, 'lock store unavailable: relying on Postgres row locks');
      try {
        // The store is down: nothing to write to it, only the afterwards to run.
        return await work(release.handle);
      } finally {
        release.done();
      }
    }
    if (acquired) {
      try {
        return await work(release.handle);
      } finally {
        await kv
          .unlock(key, token, release.values())
          .catch((err: unknown) => log.warn({ err, key }, 'lock release failed; it expires by its TTL'));
        release.done();
      }
    }
    wait.waited();
    const settled = await options.beforeRetry?.();
    if (settled !== undefined) return settled;
    if (Date.now() >= deadline) throw busy();
    await sleep(backoffMs(attempt));
  }
}
