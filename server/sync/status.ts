import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client';
import {
  clearDeadLetterNotices,
  failedJobs,
  outboxStatus,
  queueStatus,
  requeueDeadOutboxRows,
} from '../../db/queries/jobStatus';
import { listSyncMetadata } from '../../db/queries/syncMetadata';
import type { Config } from '../config';
import { JOBS_SCHEMA, oneInstanceAtATime } from '../jobs/engine';
import { trackedPgBossDb } from '../jobs/pgBossDb';
import { QUEUE_SPECS, QUEUES } from '../jobs/queues';
import { cursorName, PULL_TYPES } from './pull/run';
import { PAUSE } from './pushJob';

const QUEUE_NAMES = QUEUE_SPECS.map((s) => s.name);

/** Everything `npm run sync:status` reports, as data (`--json` prints it as is). */
export async function collectSyncStatus(database: DatabaseHandle, config: Config) {
  const { db } = database;
  const queues = await queueStatus(db, JOBS_SCHEMA, [...QUEUE_NAMES, QUEUES.deadLetters]).catch((err: unknown) => {
    // A database no engine has started on yet has no pg-boss schema: no jobs at all.
    if (/does not exist/.test(String((err as Error).message))) return [];
    throw err;
  });
  const metadata = new Map((await listSyncMetadata(db)).map((m) => [m.syncType, m]));
  const pause = metadata.get(PAUSE)?.lastModifiedTime;
  return {
    hubspot: config.hubspot.enabled ? 'on' : 'off (no HUBSPOT_TOKEN or HUBSPOT_TOKEN_SECRET_ID)',
    pushPausedUntil: pause && pause.getTime() > Date.now() ? pause : null,
    queues: queues.filter((q) => q.queue !== QUEUES.deadLetters),
    deadLetterJobs: queues.find((q) => q.queue === QUEUES.deadLetters)?.waiting ?? 0,
    outbox: await outboxStatus(db, config.hubspot.maxAttempts),
    pulls: PULL_TYPES.map((type) => {
      const m = metadata.get(cursorName(type));
      return {
        type,
        cursor: m?.lastModifiedTime ?? null,
        lastRun: m?.lastSyncTime ?? null,
        lastStored: m?.recordsSynced ?? 0,
      };
    }),
  };
}
export type SyncStatus = Awaited<ReturnType<typeof collectSyncStatus>>;

const at = (d: Date | null | undefined) => (d ? d.toISOString() : '-');

/** The status as an operator reads it at a terminal. */
export function formatSyncStatus(s: SyncStatus): string {
  const lines = [
    `HubSpot sync: ${s.hubspot}${s.pushPausedUntil ? `; push paused until ${at(s.pushPausedUntil)}` : ''}`,
  ];
  lines.push(
    '',
    'queue                   waiting  active  oldest waiting            last success              failed 24h',
  );
  for (const q of s.queues)
    lines.push(
      `${q.queue.padEnd(24)}${String(q.waiting).padStart(7)}${String(q.active).padStart(8)}  ${at(q.oldestWaiting).padEnd(26)}${at(q.lastSuccess).padEnd(26)}${String(q.failedLastDay).padStart(10)}`,
    );
  lines.push(`dead-letter jobs: ${s.deadLetterJobs}  (npm run sync:retry-dead requeues them)`);
  lines.push(
    '',
    `outbox: ${s.outbox.pending} change(s) waiting, oldest ${at(s.outbox.oldestPending)}; ${s.outbox.deadLetters} set aside after HUBSPOT_MAX_ATTEMPTS`,
  );
  lines.push('', 'pull       cursor (last HubSpot change stored)  last run                  stored');
  for (const p of s.pulls)
    lines.push(`${p.type.padEnd(11)}${at(p.cursor).padEnd(37)}${at(p.lastRun).padEnd(26)}${p.lastStored}`);
  return lines.join('\n');
}

/**
 * `npm run sync:retry-dead`: jobs whose retries are spent run again (pg-boss retries the live ones;
 * an archived one is sent anew), their dead-letter notices are cleared, and outbox rows set aside
 * after HUBSPOT_MAX_ATTEMPTS get their attempts back, so the next push sends them.
 */
export async function retryDeadLetters(database: DatabaseHandle, config: Config) {
  const db = trackedPgBossDb(database);
  const boss = new PgBoss({ db, schema: JOBS_SCHEMA, supervise: false, schedule: false });
  // pg-boss's start creates or migrates its schema: under the engine's setup lock, as an instance's is,
  // so an operator's retry during a deploy does not race a starting instance (engine.ts says how it did).
  await oneInstanceAtATime(database, db, async () => {
    await boss.start();
  });
  try {
    const failed = await failedJobs(database.db, JOBS_SCHEMA, QUEUE_NAMES);
    for (const job of failed) {
      if (job.archived) await boss.send(job.name, job.data ?? {});
      else await boss.retry(job.name, job.id);
    }
    await clearDeadLetterNotices(
      database.db,
      JOBS_SCHEMA,
      QUEUES.deadLetters,
      failed.filter((j) => j.archived).map((j) => j.id),
    );
    const outboxRows = await requeueDeadOutboxRows(database.db, config.hubspot.maxAttempts);
    return { jobs: failed.length, outboxRows };
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
}
