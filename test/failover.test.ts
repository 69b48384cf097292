import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Client, createClient, isAppError } from '../client/src';
import { openPostgres, type Transaction } from '../db/client';
import { issueSessionToken } from '../server/auth/session';
import { loadConfig } from '../server/config';
import { toTRPCError } from '../server/errors';
import { sleep } from '../server/lib/time';
import { type ChildServer, startChildServer, waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import { startTlsPostgres, type TlsPostgres } from './helpers/tlsPostgres';

// Fault injection: two service processes under a booking load while their PostgreSQL loses every
// connection (terminated backends, a fast restart, a 10 s stop), as an RDS Multi-AZ failover, a
// minor-version upgrade or a parameter-group reboot does to clients. The processes must live
// through it, answer every request (503 while the database is gone, never 500, never a dropped
// connection), serve again on their own when it is back, and leave every invariant exact.

const STUDENTS = 40;
const SESSIONS = 60;
const CAPACITY = 6;
const INITIAL_CREDITS = 1_000;
const IN_FLIGHT = 16;
const CONNECT_TIMEOUT_MS = 2_000;

let cluster: TlsPostgres;
let admin: pg.Client;
let role: { user: string; database: string; password: string };
let redisPrefix: string;
const sessionSecret = randomUUID() + randomUUID();
const servers: ChildServer[] = [];
let contactIds: string[] = [];
let examIds: string[] = [];
let clients: Client[][] = [];

beforeAll(async () => {
  cluster = await startTlsPostgres();
  role = await cluster.createRoleWithDatabase({ password: 'fail-over-pw', migrated: true });
  redisPrefix = uniqueRedisPrefix();
  admin = await connectAdmin();
  await seed();
  const env = {
    ...cluster.env(role),
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: redisPrefix,
    SESSION_SECRET: sessionSecret,
    DB_MIGRATE_ON_START: 'false',
    DB_POOL_MAX: '6',
    DB_BOOKING_POOL_MAX: '6',
    DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    HEALTH_TIMEOUT_MS: '1000',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    // The workload books as fast as it can with few students; the per-student limit is not under test.
    BOOKING_RATE_LIMIT_PER_STUDENT: '100000',
  };
  servers.push(...(await Promise.all([startChildServer(env), startChildServer(env)])));
  const config = loadConfig({ SESSION_SECRET: sessionSecret });
  const tokens = await Promise.all(
    contactIds.map(
      async (contactId, i) =>
        (
          await issueSessionToken(
            { contactId, studentId: `F${i}`, email: `f${i}@example.com`, name: `Student ${i}` },
            config.session,
          )
        ).token,
    ),
  );
  clients = servers.map((server) =>
    tokens.map((token) => createClient({ url: `${server.url}/api/trpc`, getToken: () => token })),
  );
}, 120_000);

afterAll(async () => {
  for (const server of servers) if (server.process.exitCode === null) server.process.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.exited));
  await admin?.end().catch(() => undefined);
  await cluster?.stop();
  if (redisPrefix) await deleteKeys(redisPrefix);
}, 60_000);

/** A superuser connection to the service's database, for arranging and checking rows. */
const connectAdmin = () => cluster.admin(role.database);

async function seed(): Promise<void> {
  contactIds = Array.from({ length: STUDENTS }, (_, i) => `fo-contact-${i}`);
  examIds = Array.from({ length: SESSIONS }, (_, i) => `fo-exam-${i}`);
  await admin.query(
    `insert into hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, cs_credits)
     select 'fo-contact-' || i, 'F' || i, 'f' || i || '@example.com', 'Student', i::text, $1 from generate_series(0, $2 - 1) i`,
    [INITIAL_CREDITS, STUDENTS],
  );
  // One session per day, so the same student can hold several (one per type per date).
  await admin.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time, end_time, location, capacity, is_active)
     select 'fo-exam-' || i, 'Clinical Skills', (current_date + 30 + i), (current_date + 30 + i) + time '14:00', (current_date + 30 + i) + time '17:00',
            'Mississauga', $1, 'true'
     from generate_series(0, $2 - 1) i`,
    [CAPACITY, SESSIONS],
  );
}

type Outcome = 'ok' | 'http-500' | 'dropped' | string;
interface Call {
  at: number;
  server: number;
  outcome: Outcome;
}

/** What a call ended as, the way the frontend sees it: ok, an appCode, a 500, or no answer at all. */
function outcomeOf(err: unknown): Outcome {
  if (isAppError(err)) return err.data.httpStatus === 500 ? 'http-500' : err.data.appCode;
  return 'dropped';
}

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** 16 callers booking (and cancelling half of what they book), alternating between the two processes. */
function startLoad(): { calls: Call[]; stop(): Promise<void> } {
  const calls: Call[] = [];
  let running = true;
  const record = (server: number, outcome: Outcome) => calls.push({ at: Date.now(), server, outcome });
  const worker = async (w: number) => {
    for (let n = 0; running; n++) {
      const server = (w + n) % servers.length;
      const student = Math.floor(Math.random() * STUDENTS);
      const api = clients[server]![student]!;
      try {
        const booked = await api.bookings.create.mutate({
          dominantHand: 'Right',
          examId: pick(examIds),
          idempotencyKey: randomUUID(),
        });
        record(server, 'ok');
        if (Math.random() < 0.5) {
          await api.bookings.cancel.mutate({ bookingId: booked.bookingId }).then(
            () => record(server, 'ok'),
            (err: unknown) => record(server, outcomeOf(err)),
          );
        }
      } catch (err) {
        record(server, outcomeOf(err));
        // A caller that was told "unavailable" waits a little, as the frontend's retry would.
        if (isAppError(err) && err.data.appCode === 'SERVICE_UNAVAILABLE') await sleep(50);
      }
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, (_, w) => worker(w));
  return {
    calls,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

function tally(calls: Call[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of calls) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

async function bothAlive(): Promise<void> {
  for (const server of servers) {
    expect(server.process.exitCode, `a service process exited:\n${server.stderr()}`).toBeNull();
    expect(server.process.signalCode).toBeNull();
  }
}

/** The invariants Postgres must keep through anything: no credit without a seat, no seat past capacity. */
async function expectInvariants(): Promise<void> {
  const credits = await admin.query<{ hubspot_id: string; spent: number; held: number }>(
    `select c.hubspot_id, $1 - c.cs_credits as spent,
            (select count(*)::int from hubspot_bookings b where b.associated_contact_id = c.hubspot_id and b.is_active <> 'Cancelled') as held
     from hubspot_contact_credits c where c.hubspot_id like 'fo-contact-%'`,
    [INITIAL_CREDITS],
  );
  expect(credits.rows.filter((r) => r.spent !== r.held)).toEqual([]);
  const seats = await admin.query<{ hubspot_id: string; capacity: number; total_bookings: number; taken: number }>(
    `select e.hubspot_id, e.capacity, e.total_bookings,
            (select count(*)::int from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active = 'Active') as taken
     from hubspot_mock_exams e where e.hubspot_id like 'fo-exam-%'`,
  );
  expect(seats.rows.filter((r) => r.taken > r.capacity)).toEqual([]);
  expect(seats.rows.filter((r) => r.total_bookings !== r.taken)).toEqual([]);
  const refunds = await admin.query(
    `select count(*)::int as n from hubspot_bookings where is_active = 'Cancelled' and not token_refunded`,
  );
  expect(refunds.rows[0].n).toBe(0);
}

async function healthStatus(server: ChildServer): Promise<number> {
  return (await fetch(`${server.url}/api/health`)).status;
}

/**
 * Runs the load, injects the fault, and measures each process's recovery: the time from the moment
 * the database is back to that process's first successful booking after it.
 */
async function underLoad(fault: () => Promise<{ back: number; healthDuringOutage?: number[] }>) {
  const load = startLoad();
  try {
    const anyExited = () => servers.some((s) => s.process.exitCode !== null || s.process.signalCode !== null);
    await waitFor(
      async () => anyExited() || load.calls.filter((c) => c.outcome === 'ok').length >= 20,
      'bookings before the fault',
    );
    const { back, healthDuringOutage } = await fault();
    const recoveredAt = [0, 1].map(() => 0);
    await waitFor(
      async () => {
        for (const server of [0, 1])
          recoveredAt[server] ||=
            load.calls.find((c) => c.server === server && c.at > back && c.outcome === 'ok')?.at ?? 0;
        return anyExited() || recoveredAt.every(Boolean);
      },
      'both processes booking again',
      30_000,
    );
    // A dead process is the failure to report, not the missing bookings.
    await bothAlive();
    await sleep(1_000);
    await load.stop();
    const outcomes = tally(load.calls);
    const recoveryMs = recoveredAt.map((t) => t - back);
    console.log(JSON.stringify({ outcomes, recoveryMs, healthDuringOutage }));
    return { outcomes, recoveryMs, healthDuringOutage };
  } finally {
    await load.stop();
  }
}

async function expectSurvived(result: Awaited<ReturnType<typeof underLoad>>) {
  await bothAlive();
  expect(result.outcomes['http-500'] ?? 0).toBe(0);
  expect(result.outcomes.dropped ?? 0).toBe(0);
  expect(result.outcomes.INTERNAL_ERROR ?? 0).toBe(0);
  // Recovered on their own within the pool's connect timeout (plus the caller's 50 ms pause).
  for (const ms of result.recoveryMs) expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 1_000);
  for (const server of servers) expect(await healthStatus(server)).toBe(200);
  await expectInvariants();
}

describe('a database failover under a booking load, two service processes', () => {
  it('every backend of the service database terminated mid-load (57P01)', async () => {
    const result = await underLoad(async () => {
      const killed = await admin.query(
        `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()) t`,
        [role.database],
      );
      expect(killed.rows[0].n).toBeGreaterThan(0);
      return { back: Date.now() };
    });
    await expectSurvived(result);
  }, 90_000);

  it('the cluster restarted mid-load (pg_ctl restart -m fast)', async () => {
    await admin.end().catch(() => undefined);
    const result = await underLoad(async () => {
      await cluster.restart();
      return { back: Date.now() };
    });
    admin = await connectAdmin();
    await expectSurvived(result);
  }, 90_000);

  it('the cluster stopped for 10 s mid-load, then started: 503 meanwhile, health says so, then serving again', async () => {
    await admin.end().catch(() => undefined);
    const result = await underLoad(async () => {
      await cluster.halt();
      await sleep(2_000);
      const healthDuringOutage = await Promise.all(servers.map(healthStatus));
      await sleep(8_000);
      await cluster.resume();
      return { back: Date.now(), healthDuringOutage };
    });
    admin = await connectAdmin();
    expect(result.healthDuringOutage).toEqual([503, 503]);
    expect(result.outcomes.SERVICE_UNAVAILABLE ?? 0).toBeGreaterThan(0);
    await expectSurvived(result);
  }, 120_000);
});

describe('a booking transaction whose connection is lost', () => {
  let database: TestDatabase;
  let handle: ReturnType<typeof openPostgres>;
  let killer: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    const cfg = loadConfig({ DATABASE_URL: database.url }).database;
    if (cfg.kind !== 'postgres') throw new Error('unreachable: DATABASE_URL selects postgres');
    handle = openPostgres(cfg, { error: () => undefined });
    killer = await database.connect();
  });
  afterAll(async () => {
    await killer?.end();
    await handle?.close();
    await database?.drop();
  });

  const killMyBackend = async (tx: Transaction) => {
    const { rows } = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
      rows: Array<{ pid: number }>;
    };
    await killer.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
  };

  it('before COMMIT is retried once on a fresh connection, and what it wrote exists once', async () => {
    let attempts = 0;
    const hubspotId = `retry-${randomUUID()}`;
    const result = await handle.bookingTransaction(async (tx) => {
      attempts++;
      await tx.execute(sql`insert into hubspot_contact_credits (hubspot_id) values (${hubspotId})`);
      if (attempts === 1) await killMyBackend(tx);
      await tx.execute(sql`select 1`);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(attempts).toBe(2);
    const { rows } = await killer.query(
      'select count(*)::int as n from hubspot_contact_credits where hubspot_id = $1',
      [hubspotId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('is retried at most once: a second loss answers as a lost connection, and nothing was written', async () => {
    let attempts = 0;
    const hubspotId = `retry-${randomUUID()}`;
    const failure = await handle
      .bookingTransaction(async (tx) => {
        attempts++;
        await tx.execute(sql`insert into hubspot_contact_credits (hubspot_id) values (${hubspotId})`);
        await killMyBackend(tx);
        await tx.execute(sql`select 1`);
      })
      .catch((err: unknown) => err);
    expect(attempts).toBe(2);
    expect(toTRPCError(failure).code).toBe('SERVICE_UNAVAILABLE');
    const { rows } = await killer.query(
      'select count(*)::int as n from hubspot_contact_credits where hubspot_id = $1',
      [hubspotId],
    );
    expect(rows[0].n).toBe(0);
    // The pool dropped the dead clients and serves again.
    const again = await handle.bookingTransaction(
      async (tx) => (await tx.execute(sql`select 1 as one`)) as unknown as { rows: unknown[] },
    );
    expect(again.rows).toEqual([{ one: 1 }]);
  });

  it('an ordinary failure inside the transaction is not retried', async () => {
    let attempts = 0;
    await expect(
      handle.bookingTransaction(async () => {
        attempts++;
        throw new Error('a rule said no');
      }),
    ).rejects.toThrow('a rule said no');
    expect(attempts).toBe(1);
  });
});
