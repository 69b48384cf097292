export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Settles with `work`, or rejects with TimeoutError after `ms`; the timer never outlives the race. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The message an operator needs from an error chain: drivers wrap the real reason ("Failed query: …"),
 * so walk to the innermost cause, but stop at an error whose own message was written for the
 * operator (it says more than what it wraps, e.g. which secret could not be read).
 */
export function rootMessage(err: unknown): string {
  let current = err;
  while (
    current instanceof Error &&
    current.cause instanceof Error &&
    !(current as { operatorMessage?: boolean }).operatorMessage
  )
    current = current.cause;
  if (current instanceof AggregateError && current.errors[0] instanceof Error) current = current.errors[0];
  return current instanceof Error ? current.message || current.name : String(current);
}
