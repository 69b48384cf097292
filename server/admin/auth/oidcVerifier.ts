import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';

/**
 * Asymmetric algorithms only: `none` is never accepted, and neither is HS*, which would let anyone
 * holding the issuer's *public* key (everyone) sign tokens with it as an HMAC secret.
 */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** Skips discovery when set (some IdPs publish keys elsewhere, or discovery is blocked). */
  jwksUrl?: string | undefined;
  clockSkewSeconds: number;
  /** Least time between two key fetches caused by an unknown `kid`: a flood of forged kids costs one fetch. */
  refreshCooldownMs: number;
}

/** The token was not good (forged, expired, another issuer or audience…): answer 401, nothing else. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
}
/** The issuer could not be reached (discovery or keys): our dependency is down, not the caller's fault. */
export class IssuerUnreachable extends Error {
  override name = 'IssuerUnreachable';
}

const FETCH_TIMEOUT_MS = 5_000;

/** The discovery document's jwks_uri, checking that the document speaks for the configured issuer. */
async function discoverJwksUri(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw new IssuerUnreachable(`OIDC discovery at ${url} failed`, { cause: err });
  }
  if (doc.issuer !== issuer || typeof doc.jwks_uri !== 'string')
    throw new IssuerUnreachable(`OIDC discovery at ${url} names issuer ${String(doc.issuer)}, not ${issuer}`);
  return new URL(doc.jwks_uri);
}

/**
 * Verifies admin bearer tokens against one issuer. The key set is fetched lazily (discovery once, then
 * jose's remote JWKS: cached, refetched when a token names an unknown `kid`, at most once per cooldown),
 * so a key rotation at the IdP is picked up without a restart.
 */
export function createOidcVerifier(settings: OidcSettings) {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () => {
    keys ??= (settings.jwksUrl ? Promise.resolve(new URL(settings.jwksUrl)) : discoverJwksUri(settings.issuer)).then(
      (uri) =>
        createRemoteJWKSet(uri, {
          cooldownDuration: settings.refreshCooldownMs,
          cacheMaxAge: 10 * 60_000,
          timeoutDuration: FETCH_TIMEOUT_MS,
        }),
    );
    // A failed discovery is retried by the next request, not remembered forever.
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };

  return async function verify(token: string): Promise<JWTPayload> {
    const getKey = await keySet();
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: settings.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout) throw new IssuerUnreachable('OIDC keys timed out', { cause: err });
      if (err instanceof joseErrors.JOSEError && err.code !== 'ERR_JOSE_GENERIC')
        throw new TokenRejected(err.code, { cause: err });
      // jose reports a JWKS fetch that failed at the network level as a plain error.
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError || (err as Error).name === 'AbortError')
        throw new IssuerUnreachable('OIDC keys could not be fetched', { cause: err });
      throw err;
    }
  };
}

export type OidcVerifier = ReturnType<typeof createOidcVerifier>;
