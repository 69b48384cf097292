import { TRPCError } from '@trpc/server';
import { isConnectionLoss, sqlStateOf } from '../../db/pgErrors';
import { rootMessage } from '../lib/errorMessage';
import { APP_ERRORS, type AppErrorCode, DomainError, errors, withoutStackTrace } from './catalogue';
import { withoutRowData } from './withoutRowData';

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
  // 40P01: Postgres broke a deadlock by aborting this transaction (possible when two sessions' waitlist
  // promotions take the same queued students' row locks in another order): nothing was written; retry.
  if (state === '57014' || state === '55P03' || state === '40P01') return errors.databaseBusy(err);
  // A connection lost mid-request (08, 57P0x: failover, restart), 28: authorization (a rotated or wrong
  // password, no pg_hba entry), 53300: too many connections. None is the caller's fault, nor a bug here.
  const connectionLevel = isConnectionLoss(err) || state?.startsWith('28') || state === '53300';
  const tls = errorCodes(err).some((code) => TLS_FAILURE.test(code));
  if (connectionLevel || tls || CONNECTION_FAILURE.test(rootMessage(err))) return errors.serviceUnavailable(err);
  // Class 22 (data exception: a NUL byte, a date out of range, a malformed timestamp) is a value
  // from the request Postgres cannot store or compare; the contracts refuse the known ones first.
  if (state?.startsWith('22')) return errors.invalidValue(err);
  return undefined;
}

export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError && err.code !== 'INTERNAL_SERVER_ERROR') return err;
  const cause = err instanceof TRPCError ? err.cause : err;
  const domain: DomainError | undefined = cause instanceof DomainError ? cause : dependencyFailure(cause);
  if (domain)
    return withoutStackTrace(
      () => new TRPCError({ code: APP_ERRORS[domain.code].http, message: domain.message, cause: domain }),
    );
  // A bug: the client gets a generic message; the real error stays the cause, for the log line, minus
  // the row values a failed query carries (a student's ID, name and email are not for the log).
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal server error',
    cause: withoutRowData(cause ?? err),
  });
}

/** The appCode a tRPC error carries to the client. Input validation failures are the caller's mistake. */
export function appCodeOf(error: TRPCError): AppErrorCode {
  if (error.cause instanceof DomainError) return error.cause.code;
  if (error.code === 'BAD_REQUEST' || error.code === 'PARSE_ERROR') return 'VALIDATION_FAILED';
  if (error.code === 'PAYLOAD_TOO_LARGE') return 'PAYLOAD_TOO_LARGE';
  if (error.code === 'UNAUTHORIZED') return 'UNAUTHENTICATED';
  if (error.code === 'FORBIDDEN') return 'FORBIDDEN';
  if (error.code === 'TOO_MANY_REQUESTS') return 'RATE_LIMITED';
  if (error.code === 'SERVICE_UNAVAILABLE') return 'SERVICE_UNAVAILABLE';
  // Only tRPC itself raises these without a domain cause: about the request, not about our data.
  if (error.code === 'NOT_FOUND') return 'PROCEDURE_NOT_FOUND';
  if (error.code === 'METHOD_NOT_SUPPORTED') return 'METHOD_NOT_SUPPORTED';
  if (error.code === 'UNSUPPORTED_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE';
  return 'INTERNAL_ERROR';
}
