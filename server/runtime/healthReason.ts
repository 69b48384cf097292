import { SecretError } from '../../db/secrets';
import { TimeoutError } from '../lib/time';

/**
 * What anyone may read about a failed dependency on the public health route: a coarse category.
 * The driver's text ("role "svc_booking" does not exist", a host name, an address) names accounts
 * and topology, so it goes to the log (and `npm run doctor`), never into the body.
 */
export type CoarseReason =
  | 'unreachable'
  | 'timeout'
  | 'authentication failed'
  | 'secret unavailable'
  | 'not ready'
  | 'error';

/** The database answered but the service has not applied its migrations (or seed) yet. */
export class DatabaseNotReadyError extends Error {
  override name = 'DatabaseNotReadyError';
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);
/** Postgres: invalid_password, invalid_authorization_specification (unknown role, pg_hba refusal). */
const AUTH_CODES = new Set(['28P01', '28000']);
const AUTH_TEXT = /NOAUTH|WRONGPASS|password authentication failed|no pg_hba\.conf entry/i;
/** ioredis answers a command on a closed or still-connecting socket with these. */
const REDIS_OFFLINE_TEXT = /Connection is closed|Stream isn't writeable|enableOfflineQueue/i;

/** The error and everything it wraps (cause chains and AggregateError members). */
function* chain(err: unknown, depth = 0): Generator<unknown> {
  if (depth > 8 || err === undefined || err === null) return;
  yield err;
  if (err instanceof AggregateError) for (const member of err.errors) yield* chain(member, depth + 1);
  if (err instanceof Error) yield* chain(err.cause, depth + 1);
}

export function coarseReason(err: unknown): CoarseReason {
  const errors = [...chain(err)];
  const codes = errors.map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string');
  const texts = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  // Credentials come from Secrets Manager: a denied or missing secret is the operator's to fix.
  if (errors.some((e) => e instanceof SecretError)) return 'secret unavailable';
  if (errors.some((e) => e instanceof DatabaseNotReadyError)) return 'not ready';
  if (codes.some((c) => AUTH_CODES.has(c)) || texts.some((t) => AUTH_TEXT.test(t))) return 'authentication failed';
  if (codes.some((c) => UNREACHABLE_CODES.has(c)) || texts.some((t) => REDIS_OFFLINE_TEXT.test(t)))
    return 'unreachable';
  // Ours (withTimeout), or AbortSignal.timeout's DOMException while waiting for a connection.
  if (errors.some((e) => e instanceof TimeoutError || (e instanceof Error && e.name === 'TimeoutError')))
    return 'timeout';
  return 'error';
}
