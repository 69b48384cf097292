import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppErrorCode, type Client, createClient, isAppError } from '../client/src';
import { sleep } from '../server/lib/time';
import { type ChildServer, startChildServer, waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { insertContact, type TestContact } from './helpers/factories';
import { DEAD_PORT } from './helpers/redis';
import {
  createSharedResources,
  type SharedResources,
  startTestService,
  type TestService,
  useTestService,
} from './helpers/service';

/** The claims server/auth/session.ts puts in a session token, signed with any key we like. */
async function signToken(
  secret: string,
  contact: TestContact,
  overrides: { issuer?: string; audience?: string; expiresIn?: string } = {},
) {
  return new SignJWT({ sid: contact.studentId, email: contact.email, name: 'Test Tester' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(contact.contactId)
    .setIssuer(overrides.issuer ?? 'mocks-booking')
    .setAudience(overrides.audience ?? 'mocks-booking:student')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(secret));
}

const newSecret = () => randomBytes(32).toString('base64url');
const trpc = (url: string) => `${url}/api/trpc`;
const anonymousClient = (url: string, headers: Record<string, string> = {}) =>
  createClient({ url: trpc(url), headers });
const bearerClient = (url: string, token: string) => createClient({ url: trpc(url), getToken: () => token });

interface AppErrorData {
  appCode: AppErrorCode;
  httpStatus: number;
  details?: Record<string, unknown>;
}

/** The error a call fails with (and fails the test if it succeeds). */
async function failure(call: Promise<unknown>): Promise<{ message: string; data: AppErrorData }> {
  const err = await call.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw err;
  return { message: err.message, data: err.data as unknown as AppErrorData };
}

/** A login as the browser sends it, so the response's headers can be inspected. */
const rawPost = (url: string, procedure: string, input?: unknown) =>
  fetch(`${trpc(url)}/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: input === undefined ? undefined : JSON.stringify({ json: input }),
  });

/** The Set-Cookie header for `name`, split into its value and (lower-cased) attributes. */
function sessionCookieOf(res: Response, name = 'mb_session') {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!header) throw new Error(`no ${name} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  const [pair, ...attrs] = header.split(';').map((p) => p.trim());
  const attributes = new Map(
    attrs.map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { value: pair!.slice(name.length + 1), attributes, header };
}

const SECRET = newSecret();
// A known secret, so the tests can sign tokens the service must accept (or, with another key, refuse).
const s = useTestService({ SESSION_SECRET: SECRET, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

describe('auth.login', () => {
  it('returns the token, its expiry and the contact for the right student ID and email', async () => {
    const contact = await insertContact(db);
    const before = Date.now();
    const session = await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    expect(session).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresAt: expect.any(Date),
      contact: {
        contactId: contact.contactId,
        studentId: contact.studentId,
        name: 'Test Tester',
        email: contact.email,
      },
    });
    // Default SESSION_TTL_HOURS is 12 (the token's exp has whole-second precision).
    expect(session.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 12 * 3_600_000 - 1_000);
    expect(session.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 12 * 3_600_000 + 1_000);
    expect(await bearerClient(s.url, session.token).auth.me.query()).toEqual({
      ...session.contact,
      ndeccExamDate: null,
    });
  });

  it('matches the email case-insensitively, with surrounding spaces trimmed', async () => {
    const contact = await insertContact(db, {}, { email: `Mixed.Case${randomUUID().slice(0, 8)}@Example.com` });
    for (const email of [
      contact.email.toUpperCase(),
      contact.email.toLowerCase(),
      `  ${contact.email}  `,
      `\t${contact.email.toLowerCase()} `,
    ]) {
      const session = await s.client.auth.login.mutate({ studentId: contact.studentId, email });
      expect(session.contact).toEqual({
        contactId: contact.contactId,
        studentId: contact.studentId,
        name: 'Test Tester',
        email: contact.email,
      });
    }
    const trimmedId = await s.client.auth.login.mutate({ studentId: `  ${contact.studentId} `, email: contact.email });
    expect(trimmedId.contact.contactId).toBe(contact.contactId);
  });

  it('answers a wrong email and an unknown student ID with the same UNAUTHENTICATED error (no account enumeration)', async () => {
    const contact = await insertContact(db);
    const wrongEmail = await failure(
      s.client.auth.login.mutate({ studentId: contact.studentId, email: `other-${contact.email}` }),
    );
    const unknownId = await failure(
      s.client.auth.login.mutate({ studentId: `NOPE${contact.studentId}`, email: contact.email }),
    );
    const neither = await failure(s.client.auth.login.mutate({ studentId: 'NOBODY-1', email: 'nobody@example.com' }));
    for (const e of [wrongEmail, unknownId, neither]) {
      expect(e.data).toMatchObject({ appCode: 'UNAUTHENTICATED', httpStatus: 401 });
      expect(e.data.details).toBeUndefined();
    }
    expect(unknownId.message).toBe(wrongEmail.message);
    expect(neither.message).toBe(wrongEmail.message);
    expect(wrongEmail.message).not.toContain(contact.studentId);
  });
});

describe('session cookie and bearer token', () => {
  it('sets an httpOnly, SameSite=Lax, Path=/ session cookie that is not Secure outside production', async () => {
    const contact = await insertContact(db);
    const res = await rawPost(s.url, 'auth.login', { studentId: contact.studentId, email: contact.email });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { json: { token: string; expiresAt: string } } } };
    const { token, expiresAt } = body.result.data.json;

    const cookie = sessionCookieOf(res);
    expect(cookie.value).toBe(token);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Lax');
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.has('secure')).toBe(false);
    // The cookie lasts as long as the token (HTTP dates have whole seconds).
    const expires = Date.parse(cookie.attributes.get('expires') ?? '');
    expect(Math.abs(expires - Date.parse(expiresAt))).toBeLessThan(1_000);
  });

  it('authenticates with the cookie alone, and with the Bearer token alone', async () => {
    const contact = await insertContact(db);
    const res = await rawPost(s.url, 'auth.login', { studentId: contact.studentId, email: contact.email });
    const { value: token } = sessionCookieOf(res);
    const me = {
      contactId: contact.contactId,
      studentId: contact.studentId,
      name: 'Test Tester',
      email: contact.email,
      ndeccExamDate: null,
    };

    const byCookie = anonymousClient(s.url, { cookie: `theme=dark; mb_session=${token}` });
    expect(await byCookie.auth.me.query()).toEqual(me);
    expect(await byCookie.credits.mine.query()).toMatchObject({ csCredits: 0 });

    expect(await bearerClient(s.url, token).auth.me.query()).toEqual(me);
  });

  it('accepts a token signed with the service secret, and nothing else with the same claims', async () => {
    const contact = await insertContact(db);
    expect(await bearerClient(s.url, await signToken(SECRET, contact)).auth.me.query()).toMatchObject({
      contactId: contact.contactId,
    });
    for (const token of [
      await signToken(newSecret(), contact),
      await signToken(SECRET, contact, { audience: 'someone-else' }),
      await signToken(SECRET, contact, { issuer: 'someone-else' }),
      await signToken(SECRET, contact, { expiresIn: '-1m' }),
    ]) {
      expect((await failure(bearerClient(s.url, token).auth.me.query())).data).toMatchObject({
        appCode: 'UNAUTHENTICATED',
        httpStatus: 401,
      });
    }
  });

  it('auth.logout clears the cookie', async () => {
    const res = await rawPost(s.url, 'auth.logout');
    expect(res.status).toBe(200);
    const cookie = sessionCookieOf(res);
    expect(cookie.value).toBe('');
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.has('httponly')).toBe(true);
    const expires = cookie.attributes.get('expires');
    const maxAge = cookie.attributes.get('max-age');
    const expired =
      (expires !== undefined && Date.parse(expires) <= Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0);
    expect(expired, cookie.header).toBe(true);
  });
});

describe('student procedures refuse a missing or invalid session', () => {
  const procedures: Array<[string, (c: Client) => Promise<unknown>]> = [
    ['auth.me', (c) => c.auth.me.query()],
    ['credits.mine', (c) => c.credits.mine.query()],
    ['credits.check', (c) => c.credits.check.query({ mockType: 'Clinical Skills' })],
    ['bookings.create', (c) => c.bookings.create.mutate({ examId: 'exam-that-does-not-exist' })],
    ['bookings.mine', (c) => c.bookings.mine.query()],
    ['bookings.byId', (c) => c.bookings.byId.query({ bookingId: randomUUID() })],
    ['bookings.cancel', (c) => c.bookings.cancel.mutate({ bookingId: randomUUID() })],
  ];

  // SESSION_TTL_HOURS=0.0001 is 0.36 s; jose is given no clock tolerance.
  const expiring = useTestService({ SESSION_TTL_HOURS: '0.0001' });
  const clients = new Map<string, () => Client>();

  beforeAll(async () => {
    const contact = await insertContact(db);
    const forged = await signToken(newSecret(), contact);

    const shortLived = await insertContact(expiring.db);
    const { token: expired } = await expiring.client.auth.login.mutate({
      studentId: shortLived.studentId,
      email: shortLived.email,
    });
    await sleep(1_500);

    clients.set('no token', () => anonymousClient(s.url));
    clients.set('Authorization: Bearer abc', () => anonymousClient(s.url, { authorization: 'Bearer abc' }));
    clients.set('Authorization: Bearer (empty)', () => anonymousClient(s.url, { authorization: 'Bearer ' }));
    clients.set('a forged Bearer token (other secret)', () => bearerClient(s.url, forged));
    clients.set('a forged session cookie (other secret)', () =>
      anonymousClient(s.url, { cookie: `mb_session=${forged}` }),
    );
    clients.set('an expired token', () => bearerClient(expiring.url, expired));
    clients.set('an expired session cookie', () => anonymousClient(expiring.url, { cookie: `mb_session=${expired}` }));
  });

  const credentials = [
    'no token',
    'Authorization: Bearer abc',
    'Authorization: Bearer (empty)',
    'a forged Bearer token (other secret)',
    'a forged session cookie (other secret)',
    'an expired token',
    'an expired session cookie',
  ];
  const cases = credentials.flatMap((credential) =>
    procedures.map(([name, call]) => [name, credential, call] as const),
  );

  it.each(cases)('%s with %s → UNAUTHENTICATED (401)', async (_name, credential, call) => {
    const { data } = await failure(call(clients.get(credential)!()));
    expect(data).toMatchObject({ appCode: 'UNAUTHENTICATED', httpStatus: 401 });
  });

  it('answers with HTTP status 401 on the wire', async () => {
    const res = await fetch(`${trpc(s.url)}/auth.me`, { headers: { authorization: 'Bearer abc' } });
    expect(res.status).toBe(401);
  });
});

describe('tokens across instances', () => {
  let a: TestService;
  let b: TestService;
  let other: TestService;
  const sharedSecret = newSecret();

  beforeAll(async () => {
    // Separate databases: auth.me answers from the verified token, so it needs no shared rows.
    [a, b, other] = await Promise.all([
      startTestService({ SESSION_SECRET: sharedSecret }),
      startTestService({ SESSION_SECRET: sharedSecret }),
      startTestService({ SESSION_SECRET: newSecret() }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), other?.stop()]);
  });

  it('accepts a token issued by another instance with the same SESSION_SECRET, and only then', async () => {
    const adb = await a.database.connect();
    const contact = await insertContact(adb);
    await adb.end();
    const session = await a.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    // b's database has no row for the student: auth.me still answers from the token, with no NDECC date.
    const me = { ...session.contact, ndeccExamDate: null };
    expect(await bearerClient(b.url, session.token).auth.me.query()).toEqual(me);
    expect(await anonymousClient(b.url, { cookie: `mb_session=${session.token}` }).auth.me.query()).toEqual(me);
    expect((await failure(bearerClient(other.url, session.token).auth.me.query())).data.appCode).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('login rate limits (shared through Redis)', () => {
  const expectRateLimited = async (call: Promise<unknown>) => {
    const { data } = await failure(call);
    expect(data).toMatchObject({ appCode: 'RATE_LIMITED', httpStatus: 429 });
    const retry = data.details?.retryAfterSeconds;
    expect(typeof retry).toBe('number');
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry as number).toBeGreaterThan(0);
    expect(retry as number).toBeLessThanOrEqual(60);
  };

  describe('per student ID and source', () => {
    const t = useTestService({ LOGIN_RATE_LIMIT_PER_STUDENT: '3', LOGIN_RATE_LIMIT_PER_IP: '100000' });
    const { db: tdb } = t;

    it('refuses a source after 3 failures on a student ID; successes do not count; other students are unaffected', async () => {
      const [target, bystander] = [await insertContact(tdb), await insertContact(tdb)];
      const login = (c: TestContact, email = c.email) => t.client.auth.login.mutate({ studentId: c.studentId, email });

      await login(target);
      await login(target);
      await login(target);
      for (let i = 0; i < 3; i++)
        expect((await failure(login(target, `wrong-${target.email}`))).data.appCode).toBe('UNAUTHENTICATED');
      await expectRateLimited(login(target, `wrong-${target.email}`));
      // This source is the abusive one: it is refused even with the right email.
      await expectRateLimited(login(target));

      expect((await login(bystander)).contact.contactId).toBe(bystander.contactId);
      expect((await login(bystander)).contact.contactId).toBe(bystander.contactId);
    });
  });

  describe('per client IP behind a trusted proxy (TRUST_PROXY=1)', () => {
    const t = useTestService({
      LOGIN_RATE_LIMIT_PER_IP: '5',
      LOGIN_RATE_LIMIT_PER_STUDENT: '100000',
      TRUST_PROXY: '1',
    });
    let contact: TestContact;
    beforeAll(async () => {
      contact = await insertContact(t.db);
    });

    it('limits each X-Forwarded-For client separately', async () => {
      const first = anonymousClient(t.url, { 'x-forwarded-for': '203.0.113.7' });
      const second = anonymousClient(t.url, { 'x-forwarded-for': '203.0.113.8' });
      const login = (c: Client) => c.auth.login.mutate({ studentId: contact.studentId, email: contact.email });

      for (let i = 0; i < 4; i++) await login(first);
      // Attempts for unknown students count against the IP too.
      expect(
        (await failure(first.auth.login.mutate({ studentId: 'NOBODY-2', email: 'nobody@example.com' }))).data.appCode,
      ).toBe('UNAUTHENTICATED');
      await expectRateLimited(login(first));

      expect((await login(second)).contact.contactId).toBe(contact.contactId);
    });
  });

  describe('per client IP without a trusted proxy (TRUST_PROXY unset)', () => {
    const t = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '5', LOGIN_RATE_LIMIT_PER_STUDENT: '100000' });
    let contact: TestContact;
    beforeAll(async () => {
      contact = await insertContact(t.db);
    });

    it('ignores a spoofed X-Forwarded-For: every request counts against the socket address', async () => {
      const login = (headers: Record<string, string>) =>
        anonymousClient(t.url, headers).auth.login.mutate({ studentId: contact.studentId, email: contact.email });
      for (let i = 1; i <= 5; i++) await login({ 'x-forwarded-for': `198.51.100.${i}` });
      await expectRateLimited(login({ 'x-forwarded-for': '198.51.100.99' }));
      await expectRateLimited(login({}));
    });
  });

  describe('across instances sharing Redis and REDIS_KEY_PREFIX', () => {
    let shared: SharedResources & { release(): Promise<void> };
    let one: TestService;
    let two: TestService;
    beforeAll(async () => {
      shared = await createSharedResources();
      const env = { LOGIN_RATE_LIMIT_PER_STUDENT: '3', LOGIN_RATE_LIMIT_PER_IP: '100000' };
      [one, two] = await Promise.all([startTestService(env, { shared }), startTestService(env, { shared })]);
    });
    afterAll(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await shared?.release();
    });

    it('counts failures on either instance against one budget', async () => {
      const sdb = await shared.database.connect();
      const contact = await insertContact(sdb);
      await sdb.end();
      const login = (t: TestService, email = `wrong-${contact.email}`) =>
        t.client.auth.login.mutate({ studentId: contact.studentId, email });

      expect((await failure(login(one))).data.appCode).toBe('UNAUTHENTICATED');
      expect((await failure(login(two))).data.appCode).toBe('UNAUTHENTICATED');
      expect((await failure(login(one))).data.appCode).toBe('UNAUTHENTICATED');
      await expectRateLimited(login(two));
      await expectRateLimited(login(one, contact.email));
    });
  });

  describe('with Redis unreachable', () => {
    let database: TestDatabase;
    let server: ChildServer | undefined;
    beforeAll(async () => {
      database = await createTestDatabase();
      // A real process (as `npm start` runs it), so its log lines can be read.
      server = await startChildServer({
        DATABASE_URL: database.url,
        REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}`,
        LOG_LEVEL: 'info',
        LOGIN_RATE_LIMIT_PER_IP: '1',
        LOGIN_RATE_LIMIT_PER_STUDENT: '1',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      });
      await waitFor(async () => server!.logs.some((l) => l.msg === 'database ready'), 'the database to be ready');
    });
    afterAll(async () => {
      if (server && server.process.exitCode === null) {
        server.process.kill('SIGTERM');
        await server.exited;
      }
      await database?.drop();
    });

    it('still logs students in (rate limiting fails open) and logs that it did', async () => {
      const cdb = await database.connect();
      const contact = await insertContact(cdb);
      await cdb.end();
      const client = anonymousClient(server!.url);
      // Three attempts against limits of one: nothing is counted, nothing is refused.
      for (let i = 0; i < 3; i++) {
        const session = await client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
        expect(session.contact.contactId).toBe(contact.contactId);
        expect(await bearerClient(server!.url, session.token).auth.me.query()).toEqual({
          ...session.contact,
          ndeccExamDate: null,
        });
      }
      await waitFor(
        async () =>
          server!.logs.some((l) => l.msg === 'rate limit store unavailable: allowing the request' && l.level === 40),
        'the fail-open warning in the log',
        5_000,
      );
    });
  });
});
