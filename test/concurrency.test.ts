import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Client, createClient, isAppError } from '../client/src';
import { issueSessionToken } from '../server/auth/session';
import { loadConfig } from '../server/config';
import {
  balancesOf,
  examCounts,
  insertContact,
  insertExam,
  newIdempotencyKey,
  type TestContact,
} from './helpers/factories';
import { DEAD_PORT } from './helpers/redis';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy';

// Everything here goes through HTTP to two instances that share one database and one Redis, as two
// EC2 instances behind the ALB do. Requests alternate between them.

let shared: SharedResources & { release(): Promise<void> };
let db: pg.Client;
const started: TestService[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  shared = await createSharedResources();
  db = await shared.database.connect();
});
afterEach(async () => {
  for (const instance of started.splice(0)) await instance.stop();
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(async () => {
  await db.end();
  await shared.release();
});

async function instances(envs: Array<Record<string, string>> = [{}, {}]): Promise<TestService[]> {
  const list = await Promise.all(envs.map((env) => startTestService({ DB_POOL_MAX: '10', ...env }, { shared })));
  started.push(...list);
  return list;
}

/** A session token as login would issue it (login itself is tested in auth.test.ts). */
async function clientFor(contact: TestContact, instance: TestService): Promise<Client> {
  const config = loadConfig({ SESSION_SECRET: shared.sessionSecret });
  const session = {
    contactId: contact.contactId,
    studentId: contact.studentId,
    email: contact.email,
    name: 'Test Tester',
  };
  const { token } = await issueSessionToken(session, config.session);
  return createClient({ url: `${instance.url}/api/trpc`, getToken: () => token });
}

/** Settles every call and tallies the outcomes by appCode ("ok" for success). */
async function outcomes<T>(calls: Array<Promise<T>>) {
  const settled = await Promise.allSettled(calls);
  const tally: Record<string, number> = {};
  const values: T[] = [];
  for (const result of settled) {
    const key =
      result.status === 'fulfilled'
        ? 'ok'
        : isAppError(result.reason)
          ? result.reason.data.appCode
          : `unexpected: ${String(result.reason)}`;
    tally[key] = (tally[key] ?? 0) + 1;
    if (result.status === 'fulfilled') values.push(result.value);
  }
  return { tally, values };
}

async function manyStudents(count: number, credits: Parameters<typeof insertContact>[1]) {
  const contacts: TestContact[] = [];
  for (let i = 0; i < count; i++) contacts.push(await insertContact(db, credits));
  return contacts;
}

async function totalCsCredits(contacts: TestContact[]) {
  const { rows } = await db.query(
    'select coalesce(sum(cs_credits), 0)::int as n from hubspot_contact_credits where hubspot_id = any($1)',
    [contacts.map((c) => c.contactId)],
  );
  return rows[0].n as number;
}

async function stampede(servers: TestService[], contacts: TestContact[], examId: string, onStart?: () => void) {
  const clients = await Promise.all(contacts.map((c, i) => clientFor(c, servers[i % servers.length]!)));
  onStart?.();
  return outcomes(clients.map((api) => api.bookings.create.mutate({ dominantHand: 'Right', examId })));
}

describe('a release stampede across two instances', () => {
  it('200 students at once on 8 seats: exactly 8 bookings, 8 credits, 192 EXAM_FULL, nothing else', async () => {
    const servers = await instances();
    const contacts = await manyStudents(200, { cs_credits: 1 });
    const examId = await insertExam(db, { capacity: 8 });

    const { tally } = await stampede(servers, contacts, examId);

    expect(tally).toEqual({ ok: 8, EXAM_FULL: 192 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 8, active: 8 });
    expect(await totalCsCredits(contacts)).toBe(200 - 8);
    const listed = await servers[1]!.client.exams.byId.query({ examId });
    expect(listed).toMatchObject({ totalBookings: 8, availableSlots: 0, status: 'full' });
  });

  it('stays exact when Redis goes away in the middle of the rush (Postgres row locks alone)', async () => {
    const redisPort = Number(new URL(inject('redisUrl')).port || 6379);
    const proxy = await startTcpProxy(redisPort);
    proxies.push(proxy);
    const servers = await instances([
      { REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
      { REDIS_URL: `redis://127.0.0.1:${proxy.port}` },
    ]);
    const contacts = await manyStudents(200, { cs_credits: 1 });
    const examId = await insertExam(db, { capacity: 8 });

    const rush = stampede(servers, contacts, examId, () => setTimeout(() => void proxy.stop(), 15));
    const { tally } = await rush;

    expect(tally).toEqual({ ok: 8, EXAM_FULL: 192 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 8, active: 8 });
    expect(await totalCsCredits(contacts)).toBe(200 - 8);
  });

  it('stays exact with one instance on a dead Redis and the other on the live one', async () => {
    const servers = await instances([{ REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}` }, {}]);
    const contacts = await manyStudents(100, { cs_credits: 1 });
    const examId = await insertExam(db, { capacity: 8 });
    const { tally } = await stampede(servers, contacts, examId);
    expect(tally).toEqual({ ok: 8, EXAM_FULL: 92 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 8, active: 8 });
    expect(await totalCsCredits(contacts)).toBe(100 - 8);
  });
});

describe('one student, many identical clicks', () => {
  it('20 concurrent requests with one idempotency key: one booking, one credit, the same answer for all 20', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { cs_credits: 3 });
    const examId = await insertExam(db);
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);
    const idempotencyKey = newIdempotencyKey();

    const { tally, values } = await outcomes(
      Array.from({ length: 20 }, (_, i) =>
        apis[i % 2]!.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey }),
      ),
    );

    expect(tally).toEqual({ ok: 20 });
    expect(new Set(values.map((v) => v.bookingId)).size).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    expect((await balancesOf(db, contact!.contactId)).cs_credits).toBe(2);
  });

  it('20 concurrent requests without a key: one booking, one credit, 19 DUPLICATE_BOOKING', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { cs_credits: 3 });
    const examId = await insertExam(db);
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);

    const { tally } = await outcomes(
      Array.from({ length: 20 }, (_, i) => apis[i % 2]!.bookings.create.mutate({ dominantHand: 'Right', examId })),
    );

    expect(tally).toEqual({ ok: 1, DUPLICATE_BOOKING: 19 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    expect((await balancesOf(db, contact!.contactId)).cs_credits).toBe(2);
  });

  it('two sessions of the same type on the same day at once: one booking (the student’s row lock decides)', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { cs_credits: 3 });
    const [a, b] = [await insertExam(db, { examDate: '2033-02-02' }), await insertExam(db, { examDate: '2033-02-02' })];
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);
    const { tally } = await outcomes([
      apis[0]!.bookings.create.mutate({ dominantHand: 'Right', examId: a }),
      apis[1]!.bookings.create.mutate({ dominantHand: 'Right', examId: b }),
    ]);
    expect(tally).toEqual({ ok: 1, DUPLICATE_BOOKING: 1 });
    expect((await balancesOf(db, contact!.contactId)).cs_credits).toBe(2);
  });
});

describe('races on one student', () => {
  it('one credit, two different sessions at once: one booking, the other INSUFFICIENT_CREDITS', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { cs_credits: 1 });
    const [a, b] = [await insertExam(db, { examDate: '2033-03-01' }), await insertExam(db, { examDate: '2033-03-02' })];
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);
    const { tally } = await outcomes([
      apis[0]!.bookings.create.mutate({ dominantHand: 'Right', examId: a }),
      apis[1]!.bookings.create.mutate({ dominantHand: 'Right', examId: b }),
    ]);
    expect(tally).toEqual({ ok: 1, INSUFFICIENT_CREDITS: 1 });
    expect((await balancesOf(db, contact!.contactId)).cs_credits).toBe(0);
    const counts = [await examCounts(db, a), await examCounts(db, b)];
    expect(counts.map((c) => c.active).sort()).toEqual([0, 1]);
    expect(counts.every((c) => c.active === c.total_bookings)).toBe(true);
  });

  it('one shared credit, an SJ and a CS session at once: one booking', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { shared_mock_credits: 1 });
    const sj = await insertExam(db, { mockType: 'Situational Judgment' });
    const cs = await insertExam(db, { mockType: 'Clinical Skills' });
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);
    const { tally } = await outcomes([
      apis[0]!.bookings.create.mutate({ attendingLocation: 'Calgary', examId: sj }),
      apis[1]!.bookings.create.mutate({ dominantHand: 'Right', examId: cs }),
    ]);
    expect(tally).toEqual({ ok: 1, INSUFFICIENT_CREDITS: 1 });
    expect((await balancesOf(db, contact!.contactId)).shared_mock_credits).toBe(0);
  });

  it('cancel sent twice at once: one cancellation, one refund', async () => {
    const servers = await instances();
    const [contact] = await manyStudents(1, { cs_credits: 0, shared_mock_credits: 1 });
    const examId = await insertExam(db);
    const apis = await Promise.all([clientFor(contact!, servers[0]!), clientFor(contact!, servers[1]!)]);
    const booking = await apis[0]!.bookings.create.mutate({ dominantHand: 'Right', examId });
    expect(booking.tokenUsed).toBe('Shared Token');

    const { tally } = await outcomes(
      [0, 1, 0, 1].map((i) => apis[i]!.bookings.cancel.mutate({ bookingId: booking.bookingId })),
    );

    expect(tally).toEqual({ ok: 1, BOOKING_NOT_CANCELLABLE: 3 });
    expect((await balancesOf(db, contact!.contactId)).shared_mock_credits).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
  });
});
