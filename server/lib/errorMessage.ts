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
