import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { SEAT_CREDIT_RULES } from '../../../server/services/creditRules';
import type { Check } from '../measure';
import { log, PGBENCH_CLIENTS, PGBENCH_SECONDS, SPREAD_SESSIONS, STUDENTS } from '../settings';

const run = promisify(execFile);

/** The service's booking SQL as a pgbench script (beside this file): today one statement, book_seat. */
export const PGBENCH_SCRIPT = new URL('./bookingTransaction.pgbench', import.meta.url).pathname;

/** book_seat's details, credit rules and session as the ceilings pass them (the app passes its own). */
export const PGBENCH_BOOKING_ARGS = [
  { 'Clinical Skills': { dominantHand: 'Right', attendingLocation: null } },
  SEAT_CREDIT_RULES,
  { studentId: 'P', email: 'p@example.com', name: 'Bench Pg' },
] as const;

/** pgbench on PATH, else the newest Debian/Ubuntu PostgreSQL install's. */
function findPgbench(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':');
  for (const dir of dirs) if (dir && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pgbench')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin', 'pgbench') : undefined;
}

export interface PgbenchResult {
  command: string;
  tps: number;
  transactions: number;
  failed: number;
  latencyAvgMs: number;
  checks: Check[];
}

/**
 * The booking ceiling: pgbench, PGBENCH_CLIENTS clients, PGBENCH_SECONDS, prepared statements,
 * running the service's booking transaction on the ceiling's own students and sessions
 * (seedCeilingData) in the same database, server and tables as the service's workloads.
 */
export async function pgbenchCeiling(db: pg.Client, databaseUrl: string): Promise<PgbenchResult | undefined> {
  const pgbench = findPgbench();
  if (!pgbench) {
    log('pgbench not found (PATH, /usr/lib/postgresql/*/bin): the booking ceiling is not measured');
    return undefined;
  }
  const url = new URL(databaseUrl);
  const args = [
    ...['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')],
    ...['-n', '-M', 'prepared', '-c', String(PGBENCH_CLIENTS), '-j', '2', '-T', String(PGBENCH_SECONDS)],
    ...['-D', `sessions=${SPREAD_SESSIONS}`, '-D', `students=${STUDENTS}`, '-f', PGBENCH_SCRIPT],
    ...['-D', `details=${JSON.stringify(PGBENCH_BOOKING_ARGS[0])}`],
    ...['-D', `rules=${JSON.stringify(PGBENCH_BOOKING_ARGS[1])}`],
    ...['-D', `session=${JSON.stringify(PGBENCH_BOOKING_ARGS[2])}`],
    url.pathname.slice(1),
  ];
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  log(`ceiling: pgbench ${PGBENCH_CLIENTS} clients × ${PGBENCH_SECONDS} s, the booking transaction`);
  const { stdout } = await run(pgbench, args, { env, timeout: (PGBENCH_SECONDS + 30) * 1000 });
  const figure = (re: RegExp) => Number(stdout.match(re)?.[1] ?? Number.NaN);
  const transactions = figure(/number of transactions actually processed: (\d+)/);
  const failed = figure(/number of failed transactions: (\d+)/);
  const { rows } = await db.query<{ booked: number; over: number; drifted: number }>(
    `select (select count(*)::int from hubspot_bookings where associated_contact_id like 'pgb-c-%') as booked,
            count(*) filter (where e.total_bookings > e.capacity)::int as over,
            count(*) filter (where e.total_bookings <> (select count(*) from hubspot_bookings b
                              where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled'))::int as drifted
       from hubspot_mock_exams e where e.hubspot_id like 'pgb-cs-%'`,
  );
  const { booked = 0, over = 1, drifted = 1 } = rows[0] ?? {};
  return {
    command: `${pgbench} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    tps: Math.round(figure(/tps = ([\d.]+)/) * 10) / 10,
    transactions,
    failed,
    latencyAvgMs: figure(/latency average = ([\d.]+) ms/),
    checks: [
      {
        // A repeat pick (same student and date) books nothing, so rows ≤ transactions; a few repeats at most.
        name: 'pgbench: every transaction committed, booked rows ≤ transactions, counters agree',
        pass: failed === 0 && booked > 0 && booked <= transactions && over === 0 && drifted === 0,
        detail: `transactions=${transactions}, failed=${failed}, booked=${booked}, over capacity=${over}, drifted=${drifted}`,
      },
    ],
  };
}
