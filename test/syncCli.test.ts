import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineQueues, JOBS_SCHEMA, SETUP_LOCK_KEY } from '../server/jobs/engine';
import { trackedPgBossDb } from '../server/jobs/pgBossDb';
import { QUEUES } from '../server/jobs/queues';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './helpers/hubspotEndpoint';
import { testConfig } from './helpers/jobEngines';
import { runMigrationCli as runCli } from './helpers/migrationCli';

/**
 * The sync CLIs run as an operator runs them (`npm run sync:status|sync:run|sync:retry-dead`, a
 * process of their own, only environment variables), against a database arranged with a failed job,
 * waiting and set-aside outbox changes and a pull cursor, and a local HubSpot-shaped endpoint.
 */
let database: TestDatabase;
let db: Awaited<ReturnType<TestDatabase['connect']>>;
let hubspot: HubSpotEndpoint;
const EXAMS = '2-50158913';

beforeAll(async () => {
  database = await createTestDatabase();
  db = await database.connect();
  hubspot = await startHubSpotEndpoint();
  // The queues as the engine defines them, and one job whose only attempt failed: a dead letter.
  const handle = await openConfiguredDatabase(testConfig(database.url), createLogger('silent'));
  const boss = new PgBoss({ db: trackedPgBossDb(handle), schema: JOBS_SCHEMA, supervise: false, schedule: false });
  try {
    await boss.start();
    await defineQueues(boss, testConfig(database.url), []);
    await boss.send(QUEUES.completeBookings, { marker: 'dead' }, { retryLimit: 0 });
    const [job] = await boss.fetch(QUEUES.completeBookings);
    await boss.fail(QUEUES.completeBookings, job!.id, { message: 'boom' });
  } finally {
    await boss.stop({ graceful: false, close: false });
    await handle.close();
  }
  await db.query(`insert into sync_outbox (object_type, object_id, change, attempts, last_error)
    values ('exam', 'e1', 'total_bookings', 0, null), ('exam', 'e2', 'total_bookings', 0, null),
           ('booking', '00000000-0000-0000-0000-000000000001', 'created', 10, '400: bad property')`);
  await db.query(`insert into sync_metadata (sync_type, last_modified_time, last_sync_time, records_synced)
    values ('hubspot-pull-sessions', '2026-11-01T10:00:00Z', now(), 7)`);
});
afterAll(async () => {
  await db?.end();
  await database?.drop();
  await hubspot?.close();
});

const env = () => ({ DATABASE_URL: database.url });
const status = async () => {
  const run = await runCli('syncStatus', ['--json'], env());
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

describe('sync:status and sync:retry-dead', { timeout: 60_000 }, () => {
  it('status shows per queue the waiting and failed jobs, the dead letters, the outbox and each cursor; retry-dead requeues', async () => {
    const before = await status();
    expect(before.queues.find((q: { queue: string }) => q.queue === QUEUES.completeBookings)).toMatchObject({
      waiting: 0,
      failedLastDay: 1,
    });
    expect(before.deadLetterJobs).toBe(1);
    expect(before.outbox).toMatchObject({ pending: 2, deadLetters: 1 });
    expect(before.pulls).toContainEqual(
      expect.objectContaining({ type: 'sessions', cursor: '2026-11-01T10:00:00.000Z', lastStored: 7 }),
    );
    expect(before.hubspot).toMatch(/^off/);

    const text = await runCli('syncStatus', [], env());
    expect(text.stdout).toContain('bookings-complete');
    expect(text.stdout).toContain('dead-letter jobs: 1');
    expect(text.stdout).toMatch(/sessions\s+2026-11-01T10:00:00.000Z/);

    const retry = await runCli('syncRetryDead', [], env());
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('1 job(s) and 1 outbox change(s) requeued');

    const after = await status();
    expect(after.deadLetterJobs).toBe(0);
    expect(after.outbox).toMatchObject({ pending: 3, deadLetters: 0 });
    expect(after.queues.find((q: { queue: string }) => q.queue === QUEUES.completeBookings)).toMatchObject({
      waiting: 1,
    });
  });
});

describe('sync:retry-dead and a starting instance', { timeout: 60_000 }, () => {
  it("starts the job engine under the instances' setup lock: it waits while one holds it, then runs", async () => {
    // What a starting instance holds while pg-boss creates or migrates its schema (engine.ts).
    const starting = await database.connect();
    try {
      await starting.query('select pg_advisory_lock($1)', [SETUP_LOCK_KEY.toString()]);
      let ended = false;
      const retry = runCli('syncRetryDead', [], env()).finally(() => {
        ended = true;
      });
      const waiting = async () =>
        (
          await db.query(
            `select count(*)::int as n from pg_locks
              where locktype = 'advisory' and not granted
                and database = (select oid from pg_database where datname = current_database())`,
          )
        ).rows[0].n === 1;
      await waitFor(async () => (await waiting()) || ended, 'sync:retry-dead to wait for the setup lock');
      expect(ended, 'sync:retry-dead ran without waiting for the setup lock').toBe(false);
      await starting.query('select pg_advisory_unlock($1)', [SETUP_LOCK_KEY.toString()]);
      const run = await retry;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/requeued/);
    } finally {
      await starting.end();
    }
  });
});

describe('sync:run', { timeout: 60_000 }, () => {
  const hubspotEnv = () => ({ ...env(), HUBSPOT_TOKEN: 'test-token', HUBSPOT_API_BASE_URL: hubspot.url });

  it('runs one pull now and prints what it stored; the cursor moves', async () => {
    const start = Date.now() + 4 * 86_400_000;
    for (const id of ['7001', '7002'])
      hubspot.seed(EXAMS, id, {
        mock_type: 'Clinical Skills',
        exam_date: new Date(start).toISOString().slice(0, 10),
        start_time: String(start),
        end_time: String(start + 3_600_000),
        capacity: '6',
        is_active: 'true',
      });
    const run = await runCli('syncRun', ['--type', 'sessions', '--full'], hubspotEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: 'sessions', fetched: 2, stored: 2 });
    const { rows } = await db.query(
      `select count(*)::int as n from hubspot_mock_exams where hubspot_id in ('7001', '7002')`,
    );
    expect(rows[0].n).toBe(2);
    expect((await status()).pulls[0].cursor > '2026-11-01T10:00:00.000Z').toBe(true);
  });

  it('refuses an unknown type (exit 2) and says sync is off without a token (exit 1)', async () => {
    const wrong = await runCli('syncRun', ['--type', 'deals'], hubspotEnv());
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--type must be one of sessions, contacts, bookings');
    const off = await runCli('syncRun', ['--type', 'sessions'], env());
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('HubSpot sync is off');
  });
});
