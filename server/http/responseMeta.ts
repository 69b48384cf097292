import type { TRPCError } from '@trpc/server';
import type { ResponseMeta } from '@trpc/server/http';
import { DomainError } from '../errors';

/**
 * BUSY means another booking holds the session's lock (or Postgres gave up on a lock): the wait is
 * the length of one booking transaction, so "try again in a second" is the honest hint.
 */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** Seconds a client should wait before retrying after this error, when the error says so. */
function retryAfterSecondsOf(error: TRPCError): number | undefined {
  const cause = error.cause;
  if (!(cause instanceof DomainError)) return undefined;
  if (cause.code === 'BUSY') return BUSY_RETRY_AFTER_SECONDS;
  if (cause.code === 'RATE_LIMITED') return (cause.details as { retryAfterSeconds: number }).retryAfterSeconds;
  return undefined;
}

/**
 * Headers tRPC cannot know: `Retry-After` (RFC 9110) on 429 answers, so HTTP clients, proxies and
 * SDKs back off without reading the body (the longest wait of a batch wins); `Cache-Control:
 * no-store` on answers read with a student's token, so no browser or proxy cache keeps one
 * student's bookings for the next user of the machine.
 */
export function responseHeaders(opts: { errors: TRPCError[]; type: string; authenticated: boolean }): ResponseMeta {
  const headers: Record<string, string> = {};
  const waits = opts.errors.map(retryAfterSecondsOf).filter((s): s is number => s !== undefined);
  if (waits.length > 0) headers['Retry-After'] = String(Math.max(1, ...waits));
  if (opts.authenticated && opts.type === 'query') headers['Cache-Control'] = 'no-store';
  return { headers };
}
