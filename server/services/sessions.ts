import { revokeAllSessionTokensOf, revokeSessionToken } from '../auth/revocation';
import type { SessionToken } from '../auth/session';
import type { Dependencies, InnerContext } from '../context';
import { errors } from '../errors';

/**
 * Ends the login `token` belongs to, on every instance. Anonymous (or already logged-out) calls
 * have nothing to revoke and succeed. SERVICE_UNAVAILABLE when the revocation cannot be recorded
 * (Redis down): the token would otherwise go on working while the student believes it ended.
 */
export async function logout(ctx: InnerContext, token: SessionToken | undefined): Promise<{ loggedOut: true }> {
  if (token) await revokeSessionToken(ctx.kv, token).catch((err: unknown) => failed(ctx, err));
  return { loggedOut: true };
}

/**
 * Logs a student out everywhere (for the admin side: a lost phone, a shared computer, a contact
 * merged away): every token issued to them until now is refused on every instance.
 */
export async function revokeAllSessions(
  ctx: Pick<Dependencies, 'kv' | 'config' | 'logger'>,
  contactId: string,
): Promise<void> {
  await revokeAllSessionTokensOf(ctx.kv, contactId, ctx.config.session.ttlMs).catch((err: unknown) => failed(ctx, err));
}

function failed(ctx: Pick<Dependencies, 'logger'>, err: unknown): never {
  ctx.logger.warn({ err: (err as Error).message }, 'session revocation could not be recorded');
  throw errors.serviceUnavailable(err);
}
