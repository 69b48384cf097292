import type { IncomingMessage } from 'node:http';
import type { AdminConfig, AdminRole } from '../../config/admin';
import { errors } from '../../errors';
import { createDevVerifier, DEV_ROLE_CLAIM } from './devIssuer';
import { createOidcVerifier, IssuerUnreachable, type OidcVerifier, TokenRejected } from './oidcVerifier';
import { roleFromClaims } from './roleClaim';

/** Who an admin request acts for, always from the verified token: the audit log's "who". */
export interface AdminIdentity {
  subject: string;
  email: string | null;
  /** Undefined: signed in, but the token names no role this service knows (allowed nothing). */
  role: AdminRole | undefined;
}

/** One verifier (and so one key cache) per configuration, i.e. per running service. */
const verifiers = new WeakMap<AdminConfig, OidcVerifier>();
function verifierFor(cfg: AdminConfig): OidcVerifier | undefined {
  let verifier = verifiers.get(cfg);
  if (!verifier && cfg.oidc) {
    verifier = createOidcVerifier({
      ...cfg.oidc,
      clockSkewSeconds: cfg.clockSkewSeconds,
      refreshCooldownMs: cfg.keyRefreshCooldownMs,
    });
  } else if (!verifier && cfg.devKeyFile) {
    verifier = createDevVerifier(cfg.devKeyFile, cfg.clockSkewSeconds);
  }
  if (verifier) verifiers.set(cfg, verifier);
  return verifier;
}

/** The role claims a token is read with: the dev issuer's own claim, or the configured IdP's. */
const roleClaimsOf = (cfg: AdminConfig) =>
  cfg.oidc ? cfg : { roleClaims: [DEV_ROLE_CLAIM], roleMap: undefined as AdminConfig['roleMap'] };

/** Admin tokens come only as `Authorization: Bearer` (any case); never from the student's cookie. */
export function bearerTokenOf(req: IncomingMessage | undefined): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req?.headers.authorization ?? '');
  return match?.[1];
}

/** The admin a bearer token proves, or a typed UNAUTHENTICATED / SERVICE_UNAVAILABLE. */
export async function authenticateAdmin(token: string | undefined, cfg: AdminConfig): Promise<AdminIdentity> {
  const verify = verifierFor(cfg);
  if (!token || !verify) throw errors.adminNotSignedIn();
  try {
    const payload = await verify(token);
    const email = typeof payload.email === 'string' ? payload.email : null;
    return { subject: payload.sub!, email, role: roleFromClaims(payload, roleClaimsOf(cfg)) };
  } catch (err) {
    if (err instanceof TokenRejected) throw errors.adminNotSignedIn();
    if (err instanceof IssuerUnreachable) throw errors.adminSignInUnavailable(err);
    throw err;
  }
}
