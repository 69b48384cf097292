import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

/**
 * Stable error codes the frontend branches on (`error.data.appCode`). Services throw DomainError
 * with one of these; `toTRPCError` is the single place that turns them into tRPC errors.
 */
export const APP_ERROR_HTTP: Record<string, TRPC_ERROR_CODE_KEY> = {
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

export class DomainError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof DomainError) return new TRPCError({ code: APP_ERROR_HTTP[err.code]!, message: err.message, cause: err });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause: err });
}

/** The appCode a tRPC error carries to the client. Input validation failures are the caller's mistake. */
export function appCodeOf(error: TRPCError): AppErrorCode {
  if (error.cause instanceof DomainError) return error.cause.code;
  if (error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR') return 'VALIDATION_FAILED';
  if (error.code === 'UNAUTHORIZED') return 'UNAUTHENTICATED';
  if (error.code === 'FORBIDDEN') return 'FORBIDDEN';
  if (error.code === 'TOO_MANY_REQUESTS') return 'RATE_LIMITED';
  if (error.code === 'SERVICE_UNAVAILABLE') return 'SERVICE_UNAVAILABLE';
  return 'INTERNAL_ERROR';
}
