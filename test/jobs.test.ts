import PgBoss from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JOBS_SCHEMA } from '../server/jobs/engine';
import { trackedPgBossDb } from '../server/jobs/pgBossDb';
import { QUEUES } from '../server/jobs/queues';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { insertExam } from './helpers/factories';
import { fastJobs, startInstance, type TestInstance, testConfig } from './helpers/jobEngines';
import { startWorkerProcess } from './helpers/workerProcess';

/**
 * The job engine (pg-boss in the service's own database, docs/SYNC.md): crons fire once across
 * instances, failed jobs back off and end in the dead letters, a job whose instance died is retried.
 */
let database: TestDatabase;
const databaseUrl = () => database.url;
let db: Awaited<ReturnType<TestDatabase['connect']>>;
const instances: TestInstance[] = [];
const start = async (...args: Parameters<typeof startInstance> extends [string, ...infer R] ? R : never) => {
  const instance = await startInstance(database.url, ...args);
  instances.push(instance);
  return instance;
};

beforeAll(async () => {
  database = await createTestDatabase();
  db = await database.connect();
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.stop().catch(() => undefined)));
  await db.query(`delete from pgboss.job; delete from pgboss.archive; delete from pgboss.schedule`).catch(() => {});
});
afterAll(async () => {
  await db.end();
  await database.drop();
});

const stateOf = async (id: string): Promise<string | undefined> =>
  (
    await db.query(
      'select state from pgboss.job where id = $1 union all select state from pgboss.archive where id = $1',
      [id],
    )
  ).rows[0]?.state;

/**
 * A job sent from outside any worker: a bare pg-boss with no workers, maintenance or cron, so nothing in
 * this process can pick the job up (an instance with handlers could take it before the worker under test
 * and still be running it when its pool is closed).
 */
const sendJob = async (name: string, env: Record<string, string> = {}): Promise<string> => {
  const database = await openConfiguredDatabase(testConfig(databaseUrl(), env), createLogger('silent'));
  const boss = new PgBoss({ db: trackedPgBossDb(database), schema: JOBS_SCHEMA, supervise: false, schedule: false });
  try {
    await boss.start();
    const id = await boss.send(name, {});
    return id!;
  } finally {
    await boss.stop({ graceful: false, close: false });
    await database.close();
  }
};

const jobsOf = async (name: string) =>
  (
    await db.query(
      `select id, state, created_on, singleton_on from pgboss.job where name = $1
       union all select id, state, created_on, singleton_on from pgboss.archive where name = $1`,
      [name],
    )
  ).rows;

describe('scheduled jobs', () => {
  it('two instances: each cron fires once per minute, not once per instance', { timeout: 100_000 }, async () => {
    const minuteOf = (ms: number) => Math.floor(ms / 60_000);
    const firstMinute = minuteOf(Date.now());
    await Promise.all([start(), start()]);
    // Both run across at least one minute boundary: the every-minute cron has fired twice by then.
    await waitFor(async () => (await jobsOf(QUEUES.activateSessions)).length >= 2, 'two runs of the cron', 90_000);
    await sleep(6_000);
    const runs = await jobsOf(QUEUES.activateSessions);
    // pg-boss claims each minute's slot once across instances, then a worker creates the run: a late
    // claim can create a slot's run in the next minute, beside that minute's own. So count runs against
    // the minutes elapsed rather than per minute of creation: once per instance would make about twice
    // as many runs as minutes.
    const minutesElapsed = minuteOf(Date.now()) - firstMinute + 1;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(minutesElapsed);
  });

  it('the activation job flips due scheduled sessions (and only those) and tells HubSpot through the outbox', async () => {
    const due = await insertExam(db);
    const later = await insertExam(db);
    await db.query(
      `update hubspot_mock_exams set is_active = 'scheduled', scheduled_activation_datetime = now() - interval '5 seconds' where hubspot_id = $1`,
      [due],
    );
    await db.query(
      `update hubspot_mock_exams set is_active = 'scheduled', scheduled_activation_datetime = now() + interval '1 day' where hubspot_id = $1`,
      [later],
    );
    const instance = await start();
    await instance.engine.boss.send(QUEUES.activateSessions, {});
    const status = async (id: string) =>
      (await db.query('select is_active from hubspot_mock_exams where hubspot_id = $1', [id])).rows[0].is_active;
    await waitFor(async () => (await status(due)) === 'true', 'the due session activated');
    expect(await status(later)).toBe('scheduled');
    const outbox = await db.query('select change from sync_outbox where object_id = $1', [due]);
    expect(outbox.rows).toEqual([{ change: 'activated' }]);
  });
});

describe('failures', () => {
  it('a job that keeps failing is retried with backoff, then lands in the dead letters', {
    timeout: 30_000,
  }, async () => {
    let attempts = 0;
    const instance = await start(
      { JOBS_RETRY_LIMIT: '1' },
      {
        [QUEUES.completeBookings]: async () => {
          attempts++;
          throw new Error('always fails');
        },
      },
    );
    const id = await instance.engine.boss.send(QUEUES.completeBookings, { marker: 'dlq' });
    await waitFor(async () => (await jobsOf(QUEUES.deadLetters)).length === 1, 'the dead letter', 25_000);
    expect(attempts).toBe(2);
    const job = await instance.engine.boss.getJobById(QUEUES.completeBookings, id!, { includeArchive: true });
    expect(job).toMatchObject({ state: 'failed', retryCount: 1 });
    const dead = await db.query(`select data from pgboss.job where name = $1`, [QUEUES.deadLetters]);
    expect(dead.rows[0].data).toEqual({ marker: 'dlq' });
  });

  it('a worker process killed mid-job (SIGKILL): another worker retries the job', { timeout: 60_000 }, async () => {
    const env = { DATABASE_URL: database.url, JOBS_EXPIRE_SECONDS: '10', ...fastJobs, LOG_LEVEL: 'info' };
    const first = await startWorkerProcess(env);
    // Hold the bookings table so the completion job blocks inside the worker, mid-job.
    const holder = await database.connect();
    await holder.query('begin; lock table hubspot_bookings in access exclusive mode');
    const { rows } = await db.query(`select id from pgboss.job where name = $1 and state = 'created'`, [
      QUEUES.completeBookings,
    ]);
    const id = rows[0]?.id ?? (await sendJob(QUEUES.completeBookings, env));
    await waitFor(async () => (await stateOf(id)) === 'active', 'the job running in the first worker');
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await holder.query('rollback');
    await holder.end();
    expect(await stateOf(id)).toBe('active');
    const second = await startWorkerProcess(env);
    try {
      await waitFor(async () => (await stateOf(id)) === 'completed', 'the retry in the second worker', 40_000);
      const retried = await db.query(
        'select retry_count from pgboss.job where id = $1 union all select retry_count from pgboss.archive where id = $1',
        [id],
      );
      expect(retried.rows[0].retry_count).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});
