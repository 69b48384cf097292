import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** A signing key of the test issuer: its private half, and the public JWK the JWKS publishes. */
interface IssuerKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  publicJwk: JWK;
  publicPem: string;
}

async function newKey(): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface TokenOptions {
  /** Claims added to (or, as undefined, removed from) the defaults: sub, email, groups, iss, aud, iat, exp. */
  claims?: Record<string, unknown>;
  /** Sign with this key instead of the published one (a forgery), keeping the published kid unless given. */
  key?: IssuerKey;
  kid?: string;
}

/**
 * An OIDC issuer over real HTTP, the way Cognito or Entra ID answer: a discovery document and a JWKS
 * (counted, so tests can see the service's key cache), plus token minting for tests, forgeries included.
 */
export async function startOidcIssuer(audience = 'mocks-booking-admin') {
  let keys = [await newKey()];
  let jwksFetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const payloadOf = (claims: Record<string, unknown> = {}): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    const base: Record<string, unknown> = {
      sub: `admin-${randomUUID()}`,
      email: 'staff@school.example',
      'cognito:groups': ['admin'],
      iss: issuer,
      aud: audience,
      iat: now,
      exp: now + 600,
      ...claims,
    };
    for (const [name, value] of Object.entries(base)) if (value === undefined) delete base[name];
    return base as JWTPayload;
  };

  return {
    issuer,
    audience,
    /** Env that points the service at this issuer. */
    env: {
      ADMIN_OIDC_ISSUER: issuer,
      ADMIN_OIDC_AUDIENCE: audience,
      ADMIN_OIDC_KEY_REFRESH_COOLDOWN_SECONDS: '1',
    },
    get jwksFetches() {
      return jwksFetches;
    },
    newKey,
    /** A token of this issuer for `role` (in cognito:groups), signed with its current key. */
    token(role: string | string[] = 'admin', options: TokenOptions = {}) {
      const key = options.key ?? keys[0]!;
      return new SignJWT(payloadOf({ 'cognito:groups': Array.isArray(role) ? role : [role], ...options.claims }))
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? (options.key ? keys[0]!.kid : key.kid) })
        .sign(key.privateKey);
    },
    /** `alg: none`: a token with no signature at all. */
    unsignedToken(claims: Record<string, unknown> = {}) {
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payloadOf(claims))}.`;
    },
    /** HS256 "signed" with the issuer's public key (PEM) as the HMAC secret: the classic key-confusion forgery. */
    hmacWithPublicKey(claims: Record<string, unknown> = {}) {
      const key = keys[0]!;
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64(payloadOf(claims))}`;
      return `${input}.${createHmac('sha256', key.publicPem).update(input).digest('base64url')}`;
    },
    /** Key rotation: a new key signs from now on, and the JWKS publishes only it. */
    async rotate() {
      keys = [await newKey()];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type OidcIssuer = Awaited<ReturnType<typeof startOidcIssuer>>;
