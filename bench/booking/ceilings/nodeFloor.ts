import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { inheritedEnv } from '../../../server/lib/childEnv';
import { type Check, summarize, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import { log, PGBENCH_CLIENTS, PGBENCH_SECONDS, REDIS_URL, redisPrefix, SPREAD_SESSIONS, STUDENTS } from '../settings';
import { closedLoop } from './httpLoad';
import { PGBENCH_BOOKING_ARGS } from './pgbench';

const BARE_BOOKING = new URL('./bareBooking.mjs', import.meta.url).pathname;
/** Each floor process's pool: the service's DB_POOL_MAX in the bench. */
const POOL_MAX = 10;
/** Unmeasured load before the floor's figures. */
const FLOOR_WARMUP_SECONDS = 3;

async function startFloorServer(databaseUrl: string, name: string) {
  const child = spawn(process.execPath, [BARE_BOOKING], {
    env: {
      ...inheritedEnv(),
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      KEY_PREFIX: `${redisPrefix}floor:`,
      POOL_MAX: String(POOL_MAX),
      BOOKING_ARGS: JSON.stringify(PGBENCH_BOOKING_ARGS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    name,
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const bookedByCeiling = async (db: pg.Client) =>
  (
    await db.query<{ n: number }>(
      `select count(*)::int as n from hubspot_bookings where associated_contact_id like 'pgb-c-%'`,
    )
  ).rows[0]?.n ?? 0;

/**
 * A's second ceiling, the Node floor: two bareBooking.mjs processes answering pgbench's load (the same
 * clients in flight, the same random picks of its students and sessions, the same book_seat call) over
 * HTTP from this process. Where pgbench says what Postgres allows, this says what a Node server doing
 * the booking's round trips and nothing else allows on the same cores: what the service spends beyond
 * it is its own stack (framework, token, validation, logging, metrics).
 */
export async function nodeFloor(db: pg.Client, databaseUrl: string, sampler: ResourceSampler): Promise<WorkloadResult> {
  const servers = await Promise.all([startFloorServer(databaseUrl, 'floor1'), startFloorServer(databaseUrl, 'floor2')]);
  let n = 0;
  const random = (max: number) => 1 + Math.floor(Math.random() * max);
  const load = (seconds: number) =>
    closedLoop(
      'bare booking',
      () => ({
        url: servers[n++ % servers.length]!.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ examId: `pgb-cs-${random(SPREAD_SESSIONS)}`, contactId: `pgb-c-${random(STUDENTS)}` }),
      }),
      (res) => {
        if (res.status !== 200) return `HTTP ${res.status}`;
        const outcome = (JSON.parse(res.body.toString()) as [{ result: { data: { json: { outcome: string } } } }])[0]
          .result.data.json.outcome;
        // A repeat pick (same student and date) is refused as pgbench's is.
        return outcome === 'booked' ? 'ok' : outcome.toUpperCase();
      },
      PGBENCH_CLIENTS,
      seconds,
    );
  // Warm, as A is measured warm (workloads/warmUp.ts): a fresh process spends about twice the CPU.
  log(
    `ceiling: Node floor, ${PGBENCH_CLIENTS} in flight on two bare booking servers, ${FLOOR_WARMUP_SECONDS} s unmeasured then ${PGBENCH_SECONDS} s`,
  );
  await load(FLOOR_WARMUP_SECONDS);
  const before = await bookedByCeiling(db);
  const watching = sampler.alsoWatching(servers.map(({ name, pid }) => ({ name, pid })));
  watching.start();
  const run = await load(PGBENCH_SECONDS);
  const resources = watching.stop();
  await Promise.all(servers.map((s) => s.stop()));
  const ok = run.samples.filter((s) => s.outcome === 'ok').length;
  const booked = (await bookedByCeiling(db)) - before;
  const checks: Check[] = [
    {
      name: 'Node floor: answered ok = booking rows',
      pass: ok > 0 && ok === booked,
      detail: `ok=${ok}, rows=${booked}`,
    },
  ];
  return summarize(
    'A floor',
    `two bare node:http + pg + ioredis booking servers (bareBooking.mjs), pgbench's picks, ${PGBENCH_CLIENTS} in flight for ${PGBENCH_SECONDS} s`,
    run.samples,
    run.wallMs,
    resources,
    new Set(['ok', 'DUPLICATE']),
    checks,
  );
}
