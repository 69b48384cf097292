import { and, count, gte, isNull, lt, min, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { syncOutbox } from '../schema';

/** Per queue, from pg-boss's own tables (live jobs and the archive) in `schema`. */
export interface QueueStatusRow {
  queue: string;
  waiting: number;
  active: number;
  oldestWaiting: Date | null;
  lastSuccess: Date | null;
  failedLastDay: number;
}

const asDate = (v: unknown) => (v ? new Date(v as string) : null);
/** A list of values as one SQL list: `(… in ${list(values)})` (drizzle would spread an array into a row). */
const list = (values: string[]) =>
  sql`(${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;

/**
 * What `sync:status` shows of each queue: jobs waiting (created or to be retried) and running, the
 * oldest waiting, the last completion and the failures of the last 24 hours. `schema` is pg-boss's.
 */
export async function queueStatus(db: Executor, schema: string, queues: string[]): Promise<QueueStatusRow[]> {
  const s = sql.identifier(schema);
  const { rows } = (await db.execute(sql`
    with jobs as (
      select name, state, created_on, completed_on from ${s}.job where name in ${list(queues)}
      union all
      select name, state, created_on, completed_on from ${s}.archive where name in ${list(queues)}
    )
    select name,
      count(*) filter (where state in ('created', 'retry'))::int as waiting,
      count(*) filter (where state = 'active')::int as active,
      min(created_on) filter (where state in ('created', 'retry')) as oldest_waiting,
      max(completed_on) filter (where state = 'completed') as last_success,
      count(*) filter (where state = 'failed' and completed_on > now() - interval '1 day')::int as failed_last_day
    from jobs group by name`)) as unknown as { rows: Array<Record<string, unknown>> };
  const byName = new Map(rows.map((r) => [r.name as string, r]));
  return queues.map((queue) => {
    const r = byName.get(queue);
    return {
      queue,
      waiting: Number(r?.waiting ?? 0),
      active: Number(r?.active ?? 0),
      oldestWaiting: asDate(r?.oldest_waiting),
      lastSuccess: asDate(r?.last_success),
      failedLastDay: Number(r?.failed_last_day ?? 0),
    };
  });
}

/** Jobs whose retries are spent, in the live table (pg-boss can retry them) or the archive. */
export async function failedJobs(db: Executor, schema: string, queues: string[]) {
  const s = sql.identifier(schema);
  const { rows } = (await db.execute(sql`
    select id, name, data, false as archived from ${s}.job where state = 'failed' and name in ${list(queues)}
    union all
    select id, name, data, true as archived from ${s}.archive where state = 'failed' and name in ${list(queues)}`)) as unknown as {
    rows: Array<{ id: string; name: string; data: Record<string, unknown> | null; archived: boolean }>;
  };
  return rows;
}

/** Forgets requeued archive entries and the dead-letter notices of the jobs requeued. */
export async function clearDeadLetterNotices(
  db: Executor,
  schema: string,
  deadLetterQueue: string,
  archivedIds: string[],
) {
  const s = sql.identifier(schema);
  if (archivedIds.length > 0) await db.execute(sql`delete from ${s}.archive where id::text in ${list(archivedIds)}`);
  await db.execute(sql`delete from ${s}.job where name = ${deadLetterQueue} and state in ('created', 'retry')`);
}

/** The outbox as `sync:status` shows it: changes waiting, the oldest, and those set aside (dead letters). */
export async function outboxStatus(db: Executor, maxAttempts: number) {
  const [pending] = await db
    .select({ n: count(), oldest: min(syncOutbox.createdAt) })
    .from(syncOutbox)
    .where(and(isNull(syncOutbox.deliveredAt), lt(syncOutbox.attempts, maxAttempts)));
  const [dead] = await db
    .select({ n: count() })
    .from(syncOutbox)
    .where(and(isNull(syncOutbox.deliveredAt), gte(syncOutbox.attempts, maxAttempts)));
  return {
    pending: pending?.n ?? 0,
    oldestPending: pending?.oldest ? new Date(pending.oldest) : null,
    deadLetters: dead?.n ?? 0,
  };
}

/** Outbox rows set aside after HUBSPOT_MAX_ATTEMPTS get their attempts back; returns how many. */
export async function requeueDeadOutboxRows(db: Executor, maxAttempts: number): Promise<number> {
  const rows = await db
    .update(syncOutbox)
    .set({ attempts: 0 })
    .where(and(isNull(syncOutbox.deliveredAt), gte(syncOutbox.attempts, maxAttempts)))
    .returning({ id: syncOutbox.id });
  return rows.length;
}
