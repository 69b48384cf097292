import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { redisKeys } from '../redis/keys';
import type { SessionToken } from './session';

/**
 * Logout on every instance: a session token is stateless, so ending it means recording, in the store
 * every instance reads, that its id is revoked (for exactly the token's remaining lifetime: after
 * that the token is refused for its `exp` anyway), or that every token a student was issued until
 * now is (admin "log out everywhere"; kept for the longest lifetime a token can have).
 *
 * Which way this fails when Redis is down, and why:
 * - Recording a revocation fails loudly (the caller answers SERVICE_UNAVAILABLE): a logout that
 *   silently did not happen is the defect this fixes, so the student or admin must know to retry.
 * - Checking one fails open (the token is judged by its signature and expiry alone, and the outage
 *   is logged): Redis is an accelerator here, like the booking lock, and a Redis outage must not
 *   log every student out or stop bookings, which go on under Postgres alone. What is exposed is a
 *   token already logged out, while Redis is down, until its `exp` at the latest.
 */

const nowSeconds = () => Date.now() / 1000;

/** Records that this token is no longer valid, on every instance, until it expires. Throws when Redis is down. */
export async function revokeSessionToken(kv: KeyValueStore, token: SessionToken): Promise<void> {
  const remainingMs = Math.ceil((token.expiresAt - nowSeconds()) * 1000);
  if (remainingMs <= 0) return;
  await kv.setNumbers([[redisKeys.revokedSession(token.id), 1]], remainingMs);
}

/**
 * Revokes every token issued to the student up to now (a token issued within the same second as
 * this call is revoked too: JWT times are whole seconds, and erring that way only asks for a new
 * login). Throws when Redis is down.
 */
export async function revokeAllSessionTokensOf(kv: KeyValueStore, contactId: string, longestTtlMs: number) {
  await kv.setNumbers([[redisKeys.sessionsRevokedBefore(contactId), Math.floor(nowSeconds())]], longestTtlMs);
}

/** True when the token was logged out, or its student's sessions were all revoked after it was issued. */
export async function isSessionTokenRevoked(
  kv: KeyValueStore,
  contactId: string,
  token: SessionToken,
  log: Logger,
): Promise<boolean> {
  try {
    const [revoked, revokedBefore] = await kv.getNumbers([
      redisKeys.revokedSession(token.id),
      redisKeys.sessionsRevokedBefore(contactId),
    ]);
    return (revoked ?? null) !== null || (revokedBefore != null && token.issuedAt <= revokedBefore);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'session revocation store unavailable: judging the token by its expiry');
    return false;
  }
}
