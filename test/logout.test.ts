import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, isAppError } from '../client/src';
import { loadConfig } from '../server/config';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { revokeAllSessions } from '../server/services/sessions';
import { insertContact, type TestContact } from './helpers/factories';
import { DEAD_PORT } from './helpers/redis';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';

const bearer = (service: TestService, token: string) =>
  createClient({ url: `${service.url}/api/trpc`, getToken: () => token });

/** The appCode a call fails with; fails the test when it succeeds. */
async function appCodeOf(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    (v) => {
      throw new Error(`expected an error, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw err;
  return err.data.appCode;
}

describe('logging out, with two instances behind one Redis', () => {
  let shared: SharedResources & { release(): Promise<void> };
  let a: TestService;
  let b: TestService;
  beforeAll(async () => {
    shared = await createSharedResources();
    [a, b] = await Promise.all([startTestService({}, { shared }), startTestService({}, { shared })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await shared?.release();
  });

  async function login(contact: TestContact, on: TestService = a) {
    return (await on.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email })).token;
  }
  const newContact = async () => {
    const db = await shared.database.connect();
    try {
      return await insertContact(db);
    } finally {
      await db.end();
    }
  };

  it('auth.logout on one instance ends that token on both; other logins of the student go on', async () => {
    const contact = await newContact();
    const [token, otherDevice] = [await login(contact), await login(contact, b)];
    expect(await bearer(b, token).auth.me.query()).toMatchObject({ contactId: contact.contactId });

    expect(await bearer(a, token).auth.logout.mutate()).toEqual({ loggedOut: true });

    expect(await appCodeOf(bearer(a, token).auth.me.query())).toBe('UNAUTHENTICATED');
    expect(await appCodeOf(bearer(b, token).bookings.mine.query())).toBe('UNAUTHENTICATED');
    expect(await bearer(a, otherDevice).auth.me.query()).toMatchObject({ contactId: contact.contactId });
  });

  it('through the cookie as a browser does: the same cookie no longer works after logout', async () => {
    const contact = await newContact();
    const token = await login(contact);
    const cookie = { cookie: `mb_session=${token}`, origin: new URL(a.url).origin };
    const viaCookie = (s: TestService) => createClient({ url: `${s.url}/api/trpc`, headers: cookie });
    expect(await viaCookie(b).auth.me.query()).toMatchObject({ contactId: contact.contactId });
    await viaCookie(a).auth.logout.mutate();
    expect(await appCodeOf(viaCookie(b).auth.me.query())).toBe('UNAUTHENTICATED');
  });

  it('revokeAllSessions (the admin side) ends every login of that student on every instance, and only theirs', async () => {
    const [student, bystander] = [await newContact(), await newContact()];
    const tokens = [await login(student), await login(student, b)];
    const bystanderToken = await login(bystander);

    await revokeAllSessions(
      { kv: a.service.kv, config: loadConfig({ NODE_ENV: 'test' }), logger: createLogger('silent') },
      student.contactId,
    );

    for (const token of tokens)
      for (const instance of [a, b])
        expect(await appCodeOf(bearer(instance, token).auth.me.query())).toBe('UNAUTHENTICATED');
    expect(await bearer(b, bystanderToken).auth.me.query()).toMatchObject({ contactId: bystander.contactId });
    // A login after the revocation (JWT times are whole seconds: the next second) works again.
    await sleep(1_100);
    const fresh = await login(student);
    expect(await bearer(b, fresh).auth.me.query()).toMatchObject({ contactId: student.contactId });
  });
});

describe('logging out while Redis is down', () => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService({ REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}`, REDIS_CONNECT_TIMEOUT_MS: '200' });
  });
  afterAll(() => s?.stop());

  it('answers SERVICE_UNAVAILABLE (the token could not be revoked: retry), while tokens keep working', async () => {
    const db = await s.database.connect();
    const contact = await insertContact(db);
    await db.end();
    const token = await login();
    async function login() {
      return (await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email })).token;
    }
    // Checking a revocation fails open: a Redis outage must not log every student out.
    expect(await bearer(s, token).auth.me.query()).toMatchObject({ contactId: contact.contactId });
    expect(await appCodeOf(bearer(s, token).auth.logout.mutate())).toBe('SERVICE_UNAVAILABLE');
  });
});
