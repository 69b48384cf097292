import PgBoss from 'pg-boss';
import { withAdvisoryLock } from '../../db/advisoryLock';
import type { DatabaseHandle } from '../../db/client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { type KeyValueStore, openKeyValueStore } from '../redis';
import { registerJobMetrics } from './metrics';
import { type TrackedDb, trackedPgBossDb } from './pgBossDb';
import { QUEUE_SPECS, QUEUES, type QueueName, SCHOOL_TIME_ZONE } from './queues';

/** What a job handler runs with. */
export interface JobDeps {
  database: DatabaseHandle;
  config: Config;
  logger: Logger;
  boss: PgBoss;
  /** Redis (or the in-process store): the HubSpot call budget all instances share. */
  kv: KeyValueStore;
}
export type JobHandler = (deps: JobDeps, job: PgBoss.Job) => Promise<void>;

export interface JobEngine {
  boss: PgBoss;
  /** Stops fetching, lets running jobs finish (bounded by the shutdown timeout), then stops. */
  stop(): Promise<void>;
}

/** The schema pg-boss keeps its tables in, inside the service's own database. */
export const JOBS_SCHEMA = 'pgboss';
/** How often an idle worker asks for work: pg-boss's minimum, so a chain's next run starts on time. */
const POLL_SECONDS = 0.5;

export function createBoss(
  database: DatabaseHandle,
  config: Config,
  db: TrackedDb = trackedPgBossDb(database),
): PgBoss {
  const { jobs } = config;
  return new PgBoss({
    db,
    schema: JOBS_SCHEMA,
    // Failed jobs are retried with exponential backoff and jitter, then moved to the dead letters.
    retryLimit: jobs.retryLimit,
    retryDelay: 2,
    retryBackoff: true,
    // A job whose instance died mid-job is failed by maintenance after this and so retried elsewhere.
    expireInSeconds: jobs.expireSeconds,
    maintenanceIntervalSeconds: jobs.maintenanceIntervalSeconds,
    cronMonitorIntervalSeconds: jobs.cronMonitorIntervalSeconds,
    // Keep finished jobs a week: `sync:status` reads last successes and failures from them.
    retentionDays: 7,
    deleteAfterDays: 7,
  });
}

/** Creates (or updates) every queue with its policy, retries and dead letter; schedules the crons. */
export async function defineQueues(boss: PgBoss, config: Config, names: QueueName[]): Promise<void> {
  const { jobs } = config;
  await upsertQueue(boss, { name: QUEUES.deadLetters, policy: 'standard', retryLimit: 0 });
  for (const spec of QUEUE_SPECS) {
    await upsertQueue(boss, {
      name: spec.name,
      policy: spec.policy,
      retryLimit: jobs.retryLimit,
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: jobs.expireSeconds,
      deadLetter: QUEUES.deadLetters,
    });
    if (!spec.cron) continue;
    if (names.includes(spec.name)) await boss.schedule(spec.name, spec.cron, {}, { tz: SCHOOL_TIME_ZONE });
    else await boss.unschedule(spec.name);
  }
}

async function upsertQueue(boss: PgBoss, queue: PgBoss.Queue): Promise<void> {
  if (await boss.getQueue(queue.name)) return boss.updateQueue(queue.name, queue);
  // Engines of this release create queues one at a time (oneInstanceAtATime); an engine of an older
  // release starting beside them during a rolling deploy may not: the loser updates instead.
  await boss.createQueue(queue.name, queue).catch(() => boss.updateQueue(queue.name, queue));
}

/** Arbitrary but fixed key of the advisory lock around the job engine's setup ("mbjobset" as an int8). */
export const SETUP_LOCK_KEY = 0x6d626a6f62736574n;

/**
 * pg-boss's setup (its schema, then our queues and schedules) run by one starting instance at a
 * time. Run by several at once on a new database, it raced: CREATE SCHEMA IF NOT EXISTS failed on
 * pg_namespace's unique index although pg-boss takes an advisory lock of its own first (most likely
 * the waiting backend's catalog cache still said "no schema" once it got in), or a schedule was
 * written before the other instance's queue had committed ("Queue … not found"). Serialized, the
 * second instance finds everything made. The setup's SQL goes on the lock's own connection, so a
 * pool of one (DB_POOL_MAX=1) is not held up by its lock.
 */
export function oneInstanceAtATime(database: DatabaseHandle, db: TrackedDb, setup: () => Promise<void>): Promise<void> {
  // Embedded mode: one process per data directory, no one to wait for.
  if (database.mode === 'pglite') return setup();
  return withAdvisoryLock(database.pool, SETUP_LOCK_KEY, (client) => db.throughClient(client, setup));
}

/**
 * Starts pg-boss on the service's database, defines the queues and runs a worker for each handler.
 * Crons are scheduled only for the queues that have a handler here, so a queue nobody works (HubSpot
 * push with sync off) is not filled.
 */
export async function startJobEngine(
  deps: Omit<JobDeps, 'boss' | 'kv'> & { kv?: KeyValueStore | undefined },
  handlers: Partial<Record<QueueName, JobHandler>>,
): Promise<JobEngine> {
  const { database, config, logger } = deps;
  // The service passes its own store; a worker process (or a test's instance) opens and closes one.
  const ownKv = deps.kv ? undefined : openKeyValueStore(config.redis, logger);
  const kv = deps.kv ?? ownKv!;
  const db = trackedPgBossDb(database);
  const boss = createBoss(database, config, db);
  boss.on('error', (err) => logger.error({ err }, 'jobs: engine error'));
  const names = Object.keys(handlers) as QueueName[];
  await oneInstanceAtATime(database, db, async () => {
    await boss.start();
    await defineQueues(boss, config, names);
  });
  const jobDeps = { ...deps, boss, kv };
  for (const name of names) {
    const handler = handlers[name]!;
    await boss.work<object>(name, { pollingIntervalSeconds: POLL_SECONDS }, async (batch) => {
      for (const job of batch) {
        const started = Date.now();
        try {
          await handler(jobDeps, job);
          logger.debug({ job: name, jobId: job.id, ms: Date.now() - started }, 'job done');
        } catch (err) {
          logger.warn({ err, job: name, jobId: job.id }, 'job failed; pg-boss retries it with backoff');
          throw err;
        }
      }
    });
  }
  // A chain (the HubSpot push) starts now rather than at the next cron minute; stately drops a duplicate.
  for (const spec of QUEUE_SPECS) if (spec.chain && names.includes(spec.name)) await boss.send(spec.name, {});
  registerJobMetrics(boss, database.db, config);
  logger.info({ queues: names, database: database.mode }, 'jobs: workers started');
  return {
    boss,
    stop: async () => {
      await boss.stop({ graceful: true, close: false, timeout: config.shutdown.timeoutMs });
      await db.settled();
      await ownKv?.close().catch(() => undefined);
      logger.info('jobs: workers stopped');
    },
  };
}
