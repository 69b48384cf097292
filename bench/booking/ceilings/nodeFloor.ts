import type pg from 'pg';
import { type Check, summarize, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import { log, PGBENCH_CLIENTS, PGBENCH_SECONDS, SPREAD_SESSIONS, STUDENTS } from '../settings';
import { type FloorServer, floorBooking, floorOutcome, startFloorServers } from './floorServers';
import { floorStampede } from './floorStampede';
import { closedLoop } from './httpLoad';

/** Unmeasured load before the floor's figures. */
const FLOOR_WARMUP_SECONDS = 3;

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
export async function nodeFloor(
  db: pg.Client,
  databaseUrl: string,
  sampler: ResourceSampler,
  options: { release: boolean; settle: () => Promise<unknown> },
): Promise<{ spread: WorkloadResult; release: WorkloadResult | undefined }> {
  const servers = await startFloorServers(databaseUrl);
  try {
    const watching = sampler.alsoWatching(servers.map(({ name, pid }) => ({ name, pid })));
    const spread = await floorSpread(db, servers, watching);
    // B's ceiling on the same warm processes and a settled database, as the service's release follows
    // its warm A once the database has settled (main.ts).
    let release: WorkloadResult | undefined;
    if (options.release) {
      await options.settle();
      release = await floorStampede(db, servers, watching);
    }
    return { spread, release };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** A's floor: pgbench's load over HTTP, warm (see nodeFloor). */
async function floorSpread(db: pg.Client, servers: FloorServer[], watching: ResourceSampler): Promise<WorkloadResult> {
  let n = 0;
  const random = (max: number) => 1 + Math.floor(Math.random() * max);
  // A repeat pick (same student and date) is refused as pgbench's is (DUPLICATE).
  const load = (seconds: number) =>
    closedLoop(
      'bare booking',
      () =>
        floorBooking(servers[n++ % servers.length]!, `pgb-cs-${random(SPREAD_SESSIONS)}`, `pgb-c-${random(STUDENTS)}`),
      floorOutcome,
      PGBENCH_CLIENTS,
      seconds,
    );
  // Warm, as A is measured warm (workloads/warmUp.ts): a fresh process spends about twice the CPU.
  log(
    `ceiling: Node floor, ${PGBENCH_CLIENTS} in flight on two bare booking servers, ${FLOOR_WARMUP_SECONDS} s unmeasured then ${PGBENCH_SECONDS} s`,
  );
  await load(FLOOR_WARMUP_SECONDS);
  const before = await bookedByCeiling(db);
  watching.start();
  const run = await load(PGBENCH_SECONDS);
  const resources = watching.stop();
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
