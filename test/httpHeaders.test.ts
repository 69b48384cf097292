import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { insertContact, insertExam, type TestContact } from './helpers/factories';
import { useTestService } from './helpers/service';

const SECRET = randomBytes(32).toString('base64url');
const s = useTestService({
  SESSION_SECRET: SECRET,
  LOGIN_RATE_LIMIT_PER_STUDENT: '2',
  LOGIN_RATE_LIMIT_PER_IP: '100000',
  BOOKING_LOCK_WAIT_MS: '300',
});

const post = (procedure: string, input: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ json: input }),
  });
const get = (procedure: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/trpc/${procedure}`, { headers });

type ErrorBody = { error: { json: { data: { appCode: string; details?: { retryAfterSeconds?: number } } } } };

async function tokenOf(contact: TestContact): Promise<string> {
  const res = await post('auth.login', { studentId: contact.studentId, email: contact.email });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;
}

describe('Retry-After', () => {
  it('is on a 429 RATE_LIMITED answer and says what the body says', async () => {
    const contact = await insertContact(s.db);
    const attempt = () => post('auth.login', { studentId: contact.studentId, email: `wrong-${contact.email}` });
    await attempt();
    await attempt();
    const limited = await attempt();
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as ErrorBody;
    expect(body.error.json.data.appCode).toBe('RATE_LIMITED');
    const seconds = body.error.json.data.details?.retryAfterSeconds;
    expect(limited.headers.get('retry-after')).toBe(String(seconds));
  });

  it('is on a 429 BUSY answer', async () => {
    const contact = await insertContact(s.db, { cs_credits: 1 });
    const token = await tokenOf(contact);
    const examId = await insertExam(s.db);
    const holder = new Redis(inject('redisUrl'), { keyPrefix: s.redisPrefix });
    try {
      await holder.set(`lock:${examId}`, 'someone-else', 'PX', 5_000);
      const busy = await post('bookings.create', { examId }, { authorization: `Bearer ${token}` });
      expect(busy.status).toBe(429);
      expect(((await busy.json()) as ErrorBody).error.json.data.appCode).toBe('BUSY');
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await holder.del(`lock:${examId}`);
      holder.disconnect();
    }
  });

  it('is absent from answers that are not "try later"', async () => {
    const res = await post('auth.login', { studentId: 'S-nobody', email: 'nobody@example.com' });
    expect(res.status).toBe(401);
    expect(res.headers.get('retry-after')).toBeNull();
  });
});

describe('session tokens', () => {
  it('a lower-case "bearer" scheme is honoured (RFC 9110: schemes are case-insensitive)', async () => {
    const contact = await insertContact(s.db);
    const token = await tokenOf(contact);
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await get('auth.me', { authorization: `${scheme} ${token}` });
      expect(res.status, scheme).toBe(200);
    }
  });

  it('a token without `exp` is refused, even correctly signed', async () => {
    const contact = await insertContact(s.db);
    const forever = await new SignJWT({ sid: contact.studentId, email: contact.email, name: 'Test Tester' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(contact.contactId)
      .setIssuer('mocks-booking')
      .setAudience('mocks-booking:student')
      .setJti(randomUUID())
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    const res = await get('auth.me', { authorization: `Bearer ${forever}` });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorBody).error.json.data.appCode).toBe('UNAUTHENTICATED');
  });

  it('authenticated GET answers carry Cache-Control: no-store', async () => {
    const contact = await insertContact(s.db);
    const token = await tokenOf(contact);
    const bearer = await get('auth.me', { authorization: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('cache-control')).toBe('no-store');
    const cookie = await get('bookings.mine', { cookie: `mb_session=${token}` });
    expect(cookie.status).toBe(200);
    expect(cookie.headers.get('cache-control')).toBe('no-store');
  });
});
