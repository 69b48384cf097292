import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';

import { openPostgres } from '../../db/client';
import { databaseUrlFor } from '../../db/databaseUrl';
import { migrateDatabase } from '../../db/migrate';
import { loadConfig } from '../../server/config';
import { ensureProductionBuild } from './build';
import { type NewConnectionCost, newConnectionCost } from './ceilings/newConnection';
import { nodeFloor } from './ceilings/nodeFloor';
import { type PgbenchResult, pgbenchCeiling } from './ceilings/pgbench';
import { abort, budget, cleanup, type ServerProcess, state, stopIfAborting } from './cleanup';
import { type BenchStudent, seedCeilingData, seedSessions, seedStudents } from './data';
import { round1, type WorkloadResult } from './measure';
import { formatOutcomes, renderWorkload } from './report';
import { procStatusKb, ResourceSampler } from './resources';
import { SERVER_ARGS, startServer, TUNABLES } from './servers';
import {
  ADMIN_URL,
  CPU_PROF_DIR,
  databaseName,
  FROM_SOURCE,
  JSON_OUTPUT,
  LISTING_EXTRA_SESSIONS,
  log,
  ONLY,
  REDIS_URL,
  redisPrefix,
  runId,
  SPREAD_CAPACITY,
  SPREAD_SESSIONS,
  STAMPEDE_CAPACITY,
  STAMPEDE_SESSIONS,
  STUDENTS,
} from './settings';
import { renderTargets, targetRows } from './targets';
import { adminScreens, seedAdminData } from './workloads/admin';
import { listingAgainstBare } from './workloads/listing';
import { loginEveryone } from './workloads/login';
import { malformedMetaCost } from './workloads/malformedMeta';
import { openLoop } from './workloads/openLoop';
import { spreadBookings } from './workloads/spread';
import { releaseStampede } from './workloads/stampede';
import { seedWarmUp, warmUp } from './workloads/warmUp';

const loadAverage = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

async function createBenchDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`create database "${databaseName}"`);
    state.databaseCreated = true;
  } finally {
    await admin.end();
  }
  const benchUrl = databaseUrlFor(ADMIN_URL, databaseName);
  const dbConfig = loadConfig({ DATABASE_URL: benchUrl }).database;
  if (dbConfig.kind !== 'postgres') throw new Error('unreachable: DATABASE_URL selects postgres');
  const migrator = openPostgres(dbConfig, { error: (obj, msg) => log(`${msg}: ${String(obj)}`) });
  try {
    await migrateDatabase(migrator);
  } finally {
    await migrator.close();
  }
  return benchUrl;
}

async function main(): Promise<void> {
  const adminHost = new URL(ADMIN_URL);
  const loadAtStart = loadAverage();
  log(
    `PostgreSQL ${adminHost.hostname}:${adminHost.port || 5432}, Redis ${new URL(REDIS_URL).host}; database ${databaseName}, Redis prefix ${redisPrefix}; load average ${loadAtStart}`,
  );

  // 0. The production build the servers run (unless --source).
  if (!FROM_SOURCE) await ensureProductionBuild();
  const serverCommand = `node ${SERVER_ARGS.join(' ')}`;

  // 1. Throwaway database with the schema, seeded before the servers start (their migrate-on-start
  // then finds nothing to do). Stampede sessions start closed and are released all at once.
  const benchUrl = await createBenchDatabase();
  const db = new pg.Client({ connectionString: benchUrl, connectionTimeoutMillis: 5_000 });
  await db.connect();
  state.benchDb = db;
  const students = await seedStudents(db);
  const spreadExams = await seedSessions(
    db,
    'bench-cs',
    'Clinical Skills',
    SPREAD_SESSIONS,
    SPREAD_CAPACITY,
    30,
    'true',
  );
  const stampedeExams = await seedSessions(
    db,
    'bench-sj',
    'Situational Judgment',
    STAMPEDE_SESSIONS,
    STAMPEDE_CAPACITY,
    120,
    'false',
    13,
  );
  await seedSessions(db, 'bench-mm', 'Mini-mock', LISTING_EXTRA_SESSIONS, SPREAD_CAPACITY, 30, 'true', 17);
  await seedCeilingData(db, STUDENTS, SPREAD_SESSIONS);
  const warmUpSeed = ONLY.has('spread') ? await seedWarmUp(db) : undefined;
  if (ONLY.has('admin')) await seedAdminData(db);
  await db.query('analyze');
  log(
    `seeded ${students.length} students, ${spreadExams.length} + ${stampedeExams.length} + ${LISTING_EXTRA_SESSIONS} sessions`,
  );

  // 2. Two instances.
  stopIfAborting();
  const profileArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF_DIR)}`] : [];
  const servers = await Promise.all([startServer('server1', benchUrl, profileArgs), startServer('server2', benchUrl)]);
  log(`servers healthy: ${servers.map((s) => `${s.name} pid ${s.pid} ${s.url}`).join(', ')}`);
  const sampler = new ResourceSampler(() => [
    ...servers.map((s) => ({ name: s.name, pid: s.pid })),
    { name: 'bench', pid: 'self' as const },
  ]);
  const results: WorkloadResult[] = [];
  const trpcUrl = (s: ServerProcess) => `${s.url}/api/trpc`;
  // Each workload (and the pgbench ceiling) starts on a settled database: vacuumed, with statistics of
  // the rows the earlier ones wrote. pgbench alone adds ~10,000 bookings and ~30,000 outbox rows in 5 s;
  // the release measured right after it took 2.7-3.6 s, against 1.8-1.9 s after a VACUUM ANALYZE
  // (autovacuum and re-planning landing inside the workload measure the ceiling's own writes).
  const settle = () => db.query('vacuum analyze');
  const run = async <T extends WorkloadResult | undefined>(go: () => Promise<T>): Promise<T> => {
    stopIfAborting();
    const result = await go();
    if (result) results.push(result);
    await settle();
    return result;
  };

  if (ONLY.has('meta')) await run(() => malformedMetaCost(servers[0]!, sampler));
  await run(() => loginEveryone(students, servers.map(trpcUrl), sampler));
  const active = students.filter((s): s is BenchStudent => Boolean(s.client));
  if (warmUpSeed) await run(() => warmUp(db, warmUpSeed, servers.map(trpcUrl), sampler));
  const spread = ONLY.has('spread') ? await run(() => spreadBookings(db, active, spreadExams, sampler)) : undefined;
  let pgbench: PgbenchResult | undefined;
  let newConnection: NewConnectionCost | undefined;
  if (ONLY.has('pgbench')) {
    stopIfAborting();
    pgbench = await pgbenchCeiling(db, benchUrl);
    await settle();
    newConnection = await newConnectionCost(benchUrl);
  }
  let floor: Awaited<ReturnType<typeof nodeFloor>> | undefined;
  if (ONLY.has('floor')) {
    stopIfAborting();
    // With B in the run, the floor's processes take B's release too (B's ceiling).
    floor = await nodeFloor(db, benchUrl, sampler, { release: ONLY.has('stampede'), settle });
    results.push(floor.spread, ...(floor.release ? [floor.release] : []));
    await settle();
  }
  const stampede = ONLY.has('stampede')
    ? await run(() => releaseStampede(db, active, stampedeExams, sampler))
    : undefined;
  let listing: Awaited<ReturnType<typeof listingAgainstBare>> | undefined;
  if (ONLY.has('listing')) {
    stopIfAborting();
    listing = await listingAgainstBare(servers, sampler);
    results.push(listing.service, listing.bare);
  }
  const spreadOk = spread?.byOperation['bookings.create']?.outcomes.ok ?? 0;
  const open = ONLY.has('open') ? await run(() => openLoop(db, active, spreadExams, spreadOk, sampler)) : undefined;
  if (ONLY.has('admin')) await run(() => adminScreens(db, servers, sampler));

  // Lifetime peaks, read before the processes go away.
  stopIfAborting();
  const lifetimePeakRssMiB: Record<string, number> = {};
  for (const s of servers) lifetimePeakRssMiB[s.name] = round1((procStatusKb(s.pid, 'VmHWM') ?? 0) / 1024);
  lifetimePeakRssMiB.bench = round1((procStatusKb('self', 'VmHWM') ?? 0) / 1024);
  const loadAtEnd = loadAverage();

  await cleanup();

  const checks = [
    ...results.flatMap((r) => r.checks.map((c) => ({ workload: r.name, ...c }))),
    ...(pgbench?.checks.map((c) => ({ workload: 'pgbench', ...c })) ?? []),
  ];
  const failedChecks = checks.filter((c) => !c.pass);
  const errors = Object.fromEntries(
    results.filter((r) => Object.keys(r.unexpected).length > 0).map((r) => [r.name, r.unexpected]),
  );
  const targets =
    spread && stampede && listing && open
      ? targetRows({
          spread,
          pgbench,
          floor: floor?.spread,
          floorRelease: floor?.release,
          stampede,
          listing: listing.service,
          bare: listing.bare,
          openLoop: open,
          peakRssMiB: lifetimePeakRssMiB,
        })
      : undefined;
  const header = `Booking benchmark — run ${runId}, ${servers.length} instances of \`${serverCommand}\` (${TUNABLES.map((k) => `${k}=${process.env[k] ?? (k === 'DB_POOL_MAX' ? '10' : 'default')}`).join(' ')}), Node ${process.version}; load average ${loadAtStart} at start, ${loadAtEnd} at end`;

  // A run whose booked counts or invariants are wrong reports no figures: they would measure a broken service.
  if (failedChecks.length > 0) {
    const lines = failedChecks.map((c) => `FAIL  ${c.workload}: ${c.name} — ${c.detail}`);
    process.stdout.write(
      JSON_OUTPUT
        ? `${JSON.stringify({ runId, refused: true, failedChecks }, null, 2)}\n`
        : `${header}\n\nREFUSED: booked counts or invariants are wrong, so no figures are reported:\n${lines.join('\n')}\n`,
    );
    process.exitCode = 1;
    return;
  }

  const summary = {
    runId,
    node: process.version,
    serverCommand,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    servers: servers.length,
    students: STUDENTS,
    targets,
    pgbench,
    newConnection,
    workloads: results,
    lifetimePeakRssMiB,
    serverProblems: Object.fromEntries(servers.map((s) => [s.name, Object.fromEntries(s.problems)])),
    errors,
  };
  if (JSON_OUTPUT) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out: string[] = [header, ''];
  for (const r of results) out.push(renderWorkload(r), '');
  if (pgbench)
    out.push(
      `== pgbench ceiling: ${pgbench.tps.toFixed(1)} tps, ${pgbench.transactions} transactions, latency avg ${pgbench.latencyAvgMs} ms`,
      `   ${pgbench.command}`,
      '',
    );
  if (newConnection)
    out.push(
      `== a new database connection (why the booking pool keeps its own): connect ${newConnection.connectMs} ms, its first book_seat ${newConnection.firstBookingMs} ms, its second ${newConnection.secondBookingMs} ms (medians of ${newConnection.connections}, one at a time)`,
      '',
    );
  out.push(
    `lifetime peak RSS (VmHWM) per process: ${Object.entries(lifetimePeakRssMiB)
      .map(([k, v]) => `${k} ${v.toFixed(1)} MiB`)
      .join(', ')}`,
  );
  const problemLines = servers.flatMap((s) => [...s.problems].map(([k, n]) => `  ${s.name}: ${n} × ${k}`));
  out.push(
    problemLines.length === 0
      ? 'server warnings/errors (other than 4xx answers): none'
      : `server warnings/errors (other than 4xx answers):\n${problemLines.join('\n')}`,
  );
  for (const s of servers) for (const sample of s.problemSamples) out.push(`  ${s.name} sample: ${sample}`);
  out.push(
    '',
    `invariant checks: PASS (${checks.length})`,
    `errors by code: ${
      Object.keys(errors).length === 0
        ? 'none'
        : Object.entries(errors)
            .map(([w, e]) => `${w}: ${formatOutcomes(e)}`)
            .join('; ')
    }`,
  );
  if (targets) out.push('', `Issue 13 targets (load average ${loadAtStart} → ${loadAtEnd}):`, renderTargets(targets));
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => clearTimeout(budget),
  (err: unknown) => void abort(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 1),
);
