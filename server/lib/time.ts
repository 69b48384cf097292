import { setTimeout as timer } from 'node:timers/promises';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Resolves after `ms`; an aborted `signal` rejects it at once (AbortError). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => timer(ms, undefined, { signal });

/**
 * Settles with `work`, or rejects after `ms` (with `onTimeout()`, by default a TimeoutError); the timer
 * never outlives the race.
 */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error = () => new TimeoutError(`no answer within ${ms} ms`),
): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timeout = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timeout);
  }
}

/** How long to wait before retry `attempt` (0-based) of something that may take a while to come back. */
export const retryDelayMs = (attempt: number, firstMs = 500, maxMs = 30_000) => Math.min(firstMs * 2 ** attempt, maxMs);
