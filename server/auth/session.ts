import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config';

/** Who a student request acts for; always from the verified token, never from input. */
export interface StudentSession {
  contactId: string;
  studentId: string;
  email: string;
  name: string;
}

/**
 * What the token itself says about the login it proves: its id (the JWT `jti`, what logout revokes)
 * and its lifetime, in JWT seconds (the revocation entry lives exactly as long as the token).
 */
export interface SessionToken {
  id: string;
  issuedAt: number;
  expiresAt: number;
}

/** A verified token: the student it acts for and the login it belongs to. */
export interface VerifiedSession {
  user: StudentSession;
  token: SessionToken;
}

const ISSUER = 'mocks-booking';
const AUDIENCE = 'mocks-booking:student';
const keys = new Map<string, KeyObject>();
/** The HMAC key, imported once per secret: every request verifies a token, so this is on the hot path. */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

export async function issueSessionToken(session: StudentSession, cfg: Config['session'], now = new Date()) {
  const expiresAt = new Date(now.getTime() + cfg.ttlMs);
  const token = await new SignJWT({ sid: session.studentId, email: session.email, name: session.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(session.contactId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keyOf(cfg.secret));
  return { token, expiresAt };
}

/**
 * Tokens already verified, per secret: every request of a student carries the same token, and the
 * signature check (WebCrypto HMAC through jose) was a tenth of a booking's CPU (issue 13's profile).
 * A hit is still judged for expiry against the clock, exactly as jose judges `exp`; revocation is
 * checked per request by the caller, as before. Bounded: the oldest entry leaves when it is full.
 */
const VERIFIED_CACHE_MAX = 5_000;
const verifiedBySecret = new Map<string, Map<string, VerifiedSession>>();

function cachedVerification(token: string, secret: string): VerifiedSession | undefined {
  const cache = verifiedBySecret.get(secret);
  const hit = cache?.get(token);
  if (!hit) return undefined;
  if (Math.floor(Date.now() / 1000) >= hit.token.expiresAt) {
    cache!.delete(token);
    return undefined;
  }
  // Copies: a request's context must not share objects another request could change.
  return { user: { ...hit.user }, token: { ...hit.token } };
}

function rememberVerification(token: string, secret: string, verified: VerifiedSession): void {
  let cache = verifiedBySecret.get(secret);
  if (!cache) {
    // A rotated secret's verifications are worthless under the new one.
    verifiedBySecret.clear();
    cache = new Map();
    verifiedBySecret.set(secret, cache);
  }
  if (cache.size >= VERIFIED_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(token, verified);
}

/** The session a token proves, or undefined when it is missing, forged, expired or malformed. */
export async function verifySessionToken(token: string, cfg: Config['session']): Promise<VerifiedSession | undefined> {
  const cached = cachedVerification(token, cfg.secret);
  if (cached) return cached;
  const verified = await verifyWithJose(token, cfg);
  if (verified) rememberVerification(token, cfg.secret, verified);
  return verified;
}

async function verifyWithJose(token: string, cfg: Config['session']): Promise<VerifiedSession | undefined> {
  try {
    const { payload } = await jwtVerify(token, keyOf(cfg.secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      // jose checks `exp` only when present: a token without one would never expire. Without a
      // `jti` and `iat` a token could not be revoked by logout (or by "log out everywhere").
      requiredClaims: ['exp', 'iat', 'jti'],
    });
    const { sub, sid, email, name, jti, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof email !== 'string' || typeof name !== 'string')
      return undefined;
    if (typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    return { user: { contactId: sub, studentId: sid, email, name }, token: { id: jti, issuedAt: iat, expiresAt: exp } };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return undefined;
    throw err;
  }
}

/** RFC 9110 §11.1: the auth scheme is case-insensitive ("bearer" is "Bearer"). */
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** The token of a request: `Authorization: Bearer …` first, else the session cookie. */
export function sessionTokenOf(req: IncomingMessage, cookieName: string): string | undefined {
  const bearer = BEARER.exec(req.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const cookies = req.headers.cookie ? parseCookies(req.headers.cookie) : {};
  return cookies[cookieName] || undefined;
}
