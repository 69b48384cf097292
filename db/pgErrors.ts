/**
 * A connection that was working has died under us: the server terminated the backend (57P01 admin
 * shutdown, 57P02 crash shutdown, 57P03 "cannot connect now" during a restart), the socket reset, or
 * TLS failed mid-stream. This is what an RDS failover, reboot or minor-version upgrade looks like to a
 * client. Postgres rolls back whatever transaction that connection had open.
 */
const LOST_STATES = new Set(['57P01', '57P02', '57P03']);
const LOST_SOCKET_CODES = /^(ECONNRESET|EPIPE|ETIMEDOUT|ERR_SSL_|ERR_TLS_)/;
// pg reports a vanished server without a code, in these words.
const LOST_MESSAGES =
  /Connection terminated|not queryable|Stream isn't writeable|read ECONNRESET|server closed the connection unexpectedly/i;

export function isConnectionLoss(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string' && (LOST_STATES.has(code) || code.startsWith('08') || LOST_SOCKET_CODES.test(code)))
      return true;
    if (LOST_MESSAGES.test(e.message)) return true;
  }
  return false;
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
