import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { TokenRejected } from './oidcVerifier';

/**
 * The development issuer: a key pair in a file under the data directory, made by the first
 * `npm run admin:token`, whose tokens the service accepts only when no OIDC issuer is configured and
 * never in production (config/admin.ts decides). Not an IdP: a way to call the admin API locally.
 */
export const DEV_ISSUER = 'urn:mocks-booking:dev-admin-issuer';
export const DEV_AUDIENCE = 'mocks-booking-admin-dev';
/** Where the dev token carries its role, whatever ADMIN_ROLE_CLAIM says about real IdPs. */
export const DEV_ROLE_CLAIM = 'roles';
const ALGORITHM = 'ES256';

interface DevKeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function readKeyFile(file: string): Promise<DevKeyFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevKeyFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The key in `file`, made (owner-readable only) the first time. */
async function loadOrCreateKey(file: string): Promise<DevKeyFile> {
  const existing = await readKeyFile(file);
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const key = { kid: randomUUID(), privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  await mkdir(dirname(file), { recursive: true });
  // 'wx': two first runs at once cannot overwrite each other's key; the loser reads the winner's.
  try {
    await writeFile(file, JSON.stringify(key), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readKeyFile(file))!;
    throw err;
  }
  return key;
}

/** A dev admin token: `sub` and `email`, the role in `roles`, valid for `ttlSeconds`. */
export async function signDevToken(
  file: string,
  p: { email: string; role: string; subject?: string | undefined; ttlSeconds: number },
): Promise<string> {
  const key = await loadOrCreateKey(file);
  return new SignJWT({ email: p.email, [DEV_ROLE_CLAIM]: [p.role] })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(p.subject ?? `dev|${p.email}`)
    .setIssuedAt()
    .setExpirationTime(`${p.ttlSeconds}s`)
    .sign(await importJWK(key.privateJwk, ALGORITHM));
}

/**
 * Verifies dev tokens against the key file's public key. Never creates the file: with no key yet, no
 * token can be good. The file is read per token (a development convenience, not a hot path), so a
 * key made after the service started works at once.
 */
export function createDevVerifier(file: string, clockSkewSeconds: number) {
  return async function verify(token: string): Promise<JWTPayload> {
    const key = await readKeyFile(file);
    if (!key) throw new TokenRejected('no development key yet (npm run admin:token makes one)');
    try {
      const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, ALGORITHM), {
        issuer: DEV_ISSUER,
        audience: DEV_AUDIENCE,
        algorithms: [ALGORITHM],
        clockTolerance: clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (err) {
      throw new TokenRejected((err as Error).message, { cause: err });
    }
  };
}
