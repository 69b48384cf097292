import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { isConnectionLoss } from '../db/connectionLoss';
import { rootMessage } from './time';

/**
 * Stable error codes the frontend branches on (`error.data.appCode`). Services throw DomainError
 * with one of these; `toTRPCError` is the single place that turns anything thrown into a tRPC error.
 */
export const APP_ERROR_HTTP = {
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  VALIDATION_FAILED: 'BAD_REQUEST',
  EXAM_NOT_FOUND: 'NOT_FOUND',
  EXAM_NOT_BOOKABLE: 'PRECONDITION_FAILED',
  EXAM_FULL: 'CONFLICT',
  DUPLICATE_BOOKING: 'CONFLICT',
  INSUFFICIENT_CREDITS: 'PAYMENT_REQUIRED',
  PREREQUISITES_NOT_MET: 'PRECONDITION_FAILED',
  IDEMPOTENCY_KEY_REUSED: 'UNPROCESSABLE_CONTENT',
  BOOKING_NOT_FOUND: 'NOT_FOUND',
  BOOKING_NOT_CANCELLABLE: 'PRECONDITION_FAILED',
  BUSY: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppErrorCode = keyof typeof APP_ERROR_HTTP;
export const APP_ERROR_CODES = Object.keys(APP_ERROR_HTTP) as AppErrorCode[];

export class DomainError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

/** Postgres SQLSTATE of an error, looking through the ORM's wrapping. */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The constraint a unique violation (23505) hit, if that is what `err` is. */
export function uniqueViolationOf(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === '23505') return (e as { constraint?: string }).constraint ?? '';
  }
  return undefined;
}

const CONNECTION_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|timeout exceeded when trying to connect|Connection terminated|connection error|Stream isn't writeable/i;
/** Node's TLS/certificate error codes: the database is there, but we will not talk to it. */
const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT)/;

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err; e instanceof Error; e = e.cause) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** A dependency is down or overloaded: the answer is "try again", not "bug". */
function dependencyFailure(err: unknown): DomainError | undefined {
  const state = sqlStateOf(err);
  if (state === '57014' || state === '55P03')
    return new DomainError('BUSY', 'The service is busy; please try again.', undefined, { cause: err });
  // A connection lost mid-request (08, 57P0x: failover, restart), 28: authorization (a rotated or wrong
  // password, no pg_hba entry), 53300: too many connections. None is the caller's fault, nor a bug here.
  const connectionLevel = isConnectionLoss(err) || state?.startsWith('28') || state === '53300';
  if (
    connectionLevel ||
    errorCodes(err).some((code) => TLS_FAILURE.test(code)) ||
    CONNECTION_FAILURE.test(rootMessage(err))
  ) {
    return new DomainError(
      'SERVICE_UNAVAILABLE',
      'The service is temporarily unavailable; please try again shortly.',
      undefined,
      { cause: err },
    );
  }
  return undefined;
}

export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError && err.code !== 'INTERNAL_SERVER_ERROR') return err;
  const cause = err instanceof TRPCError ? err.cause : err;
  const domain = cause instanceof DomainError ? cause : dependencyFailure(cause);
  if (domain) return new TRPCError({ code: APP_ERROR_HTTP[domain.code], message: domain.message, cause: domain });
  // A bug: the client gets a generic message; the real error stays the cause, for the log line.
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause: cause ?? err });
}

/** The appCode a tRPC error carries to the client. Input validation failures are the caller's mistake. */
export function appCodeOf(error: TRPCError): AppErrorCode {
  if (error.cause instanceof DomainError) return error.cause.code;
  if (error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR' || error.code === 'PAYLOAD_TOO_LARGE')
    return 'VALIDATION_FAILED';
  if (error.code === 'UNAUTHORIZED') return 'UNAUTHENTICATED';
  if (error.code === 'FORBIDDEN') return 'FORBIDDEN';
  if (error.code === 'TOO_MANY_REQUESTS') return 'RATE_LIMITED';
  if (error.code === 'SERVICE_UNAVAILABLE') return 'SERVICE_UNAVAILABLE';
  if (error.code === 'NOT_FOUND' || error.code === 'METHOD_NOT_SUPPORTED') return 'VALIDATION_FAILED';
  return 'INTERNAL_ERROR';
}
