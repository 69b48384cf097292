import { createHmac, createSecretKey, type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { SignJWT } from 'jose';
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
  const verified = await verifyToken(token, cfg);
  if (verified) rememberVerification(token, cfg.secret, verified);
  return verified;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function jsonObjectOf(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token's claims when it is an HS256 JWS signed with `key` whose claims hold (issuer, audience,
 * `exp` in the future, `nbf` passed, `iat` and `jti` present), else undefined. node:crypto's HMAC,
 * synchronously: jose verifies through WebCrypto, an async job on libuv's thread pool per request,
 * which cost more than a tenth of a booking's CPU in issue 13's profile (and queued behind itself in
 * a stampede of fresh logins). The checks are jose's jwtVerify with the options this service used
 * (algorithms HS256, issuer, audience, requiredClaims exp/iat/jti); tokens are still signed by jose.
 */
function verifiedClaims(token: string, key: KeyObject, nowSeconds: number): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = jsonObjectOf(headerPart);
  // Only HS256, and no header extension this service never issues (crit, b64: RFC 7515 §4.1.11, RFC 7797).
  if (header?.alg !== 'HS256' || 'crit' in header || 'b64' in header) return undefined;
  const expected = createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = jsonObjectOf(payloadPart);
  if (!claims) return undefined;
  const { iss, aud, exp, nbf, iat, jti } = claims;
  if (iss !== ISSUER) return undefined;
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) return undefined;
  // jose's rules: expired when exp <= now; not yet valid when nbf > now.
  if (typeof exp !== 'number' || exp <= nowSeconds) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) return undefined;
  if (typeof iat !== 'number' || typeof jti !== 'string') return undefined;
  return claims;
}

async function verifyToken(token: string, cfg: Config['session']): Promise<VerifiedSession | undefined> {
  const payload = verifiedClaims(token, keyOf(cfg.secret), Math.floor(Date.now() / 1000));
  if (!payload) return undefined;
  const { sub, sid, email, name, jti, iat, exp } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof email !== 'string' || typeof name !== 'string')
    return undefined;
  if (typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  return { user: { contactId: sub, studentId: sid, email, name }, token: { id: jti, issuedAt: iat, expiresAt: exp } };
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
