import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueSessionToken, verifySessionToken } from '../server/auth/session';
import { loadConfig } from '../server/config';

/**
 * Session tokens are verified with node:crypto's HMAC (server/auth/session.ts verifiedClaims says
 * why): every way a token can be wrong is refused as jose's jwtVerify refused it. Each token here is
 * new, so no answer comes from the cache of verified tokens.
 */
const SECRET = 'k'.repeat(40);
const { session: cfg } = loadConfig({ SESSION_SECRET: SECRET });
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function claims() {
  return new SignJWT({ sid: 'S1', email: 's1@example.com', name: 'S One' })
    .setSubject(`c-${randomUUID()}`)
    .setIssuer('mocks-booking')
    .setAudience('mocks-booking:student')
    .setIssuedAt();
}

/** A token as the service signs one (HS256, an id, an hour to live), with `signingKey`. */
const wellFormed = (signingKey = key) =>
  claims().setJti(randomUUID()).setExpirationTime('1h').setProtectedHeader({ alg: 'HS256' }).sign(signingKey);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('session token verification', () => {
  it('accepts the tokens the service issues, and an audience list that names it', async () => {
    const { token } = await issueSessionToken({ contactId: 'c-1', studentId: 'S1', email: 'e', name: 'n' }, cfg);
    expect((await verifySessionToken(token, cfg))?.user.contactId).toBe('c-1');
    const listed = await claims()
      .setAudience(['other', 'mocks-booking:student'])
      .setJti(randomUUID())
      .setExpirationTime('1h')
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    expect(await verifySessionToken(listed, cfg)).toBeDefined();
  });

  it.each([
    ['alg none', async () => `${b64({ alg: 'none' })}.${b64({ sub: 'c', iss: 'mocks-booking' })}.`],
    [
      'another algorithm (HS512) with the same secret',
      () => claims().setJti(randomUUID()).setExpirationTime('1h').setProtectedHeader({ alg: 'HS512' }).sign(key),
    ],
    [
      'a crit header (signed with the right key)',
      async () => {
        const body = `${b64({ alg: 'HS256', crit: ['x'], x: 1 })}.${b64({
          sub: 'c',
          sid: 'S1',
          email: 'e',
          name: 'n',
          iss: 'mocks-booking',
          aud: 'mocks-booking:student',
          iat: now(),
          exp: now() + 3600,
          jti: randomUUID(),
        })}`;
        return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
      },
    ],
    ['no jti', () => claims().setExpirationTime('1h').setProtectedHeader({ alg: 'HS256' }).sign(key)],
    ['no exp', () => claims().setJti(randomUUID()).setProtectedHeader({ alg: 'HS256' }).sign(key)],
    [
      'an exp that has come',
      () => claims().setJti(randomUUID()).setExpirationTime(now()).setProtectedHeader({ alg: 'HS256' }).sign(key),
    ],
    [
      'an nbf still ahead',
      () =>
        claims()
          .setJti(randomUUID())
          .setExpirationTime('1h')
          .setNotBefore(now() + 60)
          .setProtectedHeader({ alg: 'HS256' })
          .sign(key),
    ],
    [
      'a payload changed after signing',
      async () => {
        const token = await wellFormed();
        const [h, p, s] = token.split('.') as [string, string, string];
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
        return `${h}.${b64({ ...payload, sub: 'someone-else' })}.${s}`;
      },
    ],
    [
      'a signature with characters base64url does not have',
      async () => {
        const token = await wellFormed();
        return `${token.slice(0, -4)}!${token.slice(-4)}`;
      },
    ],
    ['another secret', () => wellFormed(new TextEncoder().encode('x'.repeat(40)))],
    ['not a JWS at all', async () => 'a.b'],
  ] as Array<[string, () => Promise<string>]>)('refuses %s', async (_case, make) => {
    expect(await verifySessionToken(await make(), cfg)).toBeUndefined();
  });
});
