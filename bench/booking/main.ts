import pg from 'pg';

import { openPostgres } from '../../db/client';
import { databaseUrlFor } from '../../db/databaseUrl';
import { migrateDatabase } from '../../db/migrate';
import { loadConfig } from '../../server/config';
import { ensureProductionBuild } from './build';
import { abort, budget, cleanup, type ServerProcess, state, stopIfAborting } from './cleanup';
import { type BenchStudent, seedSessions, seedStudents } from './data';
import { round1, type WorkloadResult } from './measure';
import { formatOutcomes, renderWorkload } from './report';
import { procStatusKb, ResourceSampler } from './resources';
import { SERVER_ARGS, startServer, TUNABLES } from './servers';
import {
  ADMIN_URL,
  databaseName,
  FROM_SOURCE,
  JSON_OUTPUT,
  log,
  REDIS_URL,
  redisPrefix,
  runId,
  SPREAD_CAPACITY,
  SPREAD_SESSIONS,
  STAMPEDE_CAPACITY,
  STAMPEDE_SESSIONS,
  STUDENTS,
} from './settings';
import { loginEveryone } from './workloads/login';
import { malformedMetaCost } from './workloads/malformedMeta';
import { spreadBookings } from './workloads/spread';
import { releaseStampede } from './workloads/stampede';

async function main(): Promise<void> {
  const adminHost = new URL(ADMIN_URL);
  log(
    `PostgreSQL ${adminHost.hostname}:${adminHost.port || 5432}, Redis ${new URL(REDIS_URL).host}; database ${databaseName}, Redis prefix ${redisPrefix}`,
  );

  // 0. The production build the servers run (unless --source).
  if (!FROM_SOURCE) await ensureProductionBuild();
  const serverCommand = `node ${SERVER_ARGS.join(' ')}`;

  // 1. Throwaway database with the schema.
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
  const db = new pg.Client({ connectionString: benchUrl, connectionTimeoutMillis: 5_000 });
  await db.connect();
  state.benchDb = db;

  // 3. Seed (before the servers start: their migrate-on-start then finds nothing to do).
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
  // Stampede sessions exist from the start but are closed; they are released (opened) all at once.
  const stampedeExams = await seedSessions(
    db,
    'bench-sj',
    'Situational Judgment',
    STAMPEDE_SESSIONS,
    STAMPEDE_CAPACITY,
    120,
    'false',
  );
  log(`seeded ${students.length} students, ${spreadExams.length} + ${stampedeExams.length} sessions`);

  // 2. Two instances.
  stopIfAborting();
  const servers = await Promise.all([startServer('server1', benchUrl), startServer('server2', benchUrl)]);
  log(`servers healthy: ${servers.map((s) => `${s.name} pid ${s.pid} ${s.url}`).join(', ')}`);
  const sampler = new ResourceSampler(() => [
    ...servers.map((s) => ({ name: s.name, pid: s.pid })),
    { name: 'bench', pid: 'self' as const },
  ]);
  const results: WorkloadResult[] = [];
  const trpcUrl = (s: ServerProcess) => `${s.url}/api/trpc`;

  stopIfAborting();
  results.push(await malformedMetaCost(servers[0]!, sampler));
  stopIfAborting();
  results.push(await loginEveryone(students, servers.map(trpcUrl), sampler));
  const active = students.filter((s): s is BenchStudent => Boolean(s.client));

  stopIfAborting();
  results.push(await spreadBookings(db, active, spreadExams, sampler));
  stopIfAborting();
  results.push(await releaseStampede(db, active, stampedeExams, sampler));

  // 7. Lifetime peaks, read before the processes go away.
  stopIfAborting();
  const lifetimePeakRssMiB: Record<string, number> = {};
  for (const s of servers) lifetimePeakRssMiB[s.name] = round1((procStatusKb(s.pid, 'VmHWM') ?? 0) / 1024);
  lifetimePeakRssMiB.bench = round1((procStatusKb('self', 'VmHWM') ?? 0) / 1024);

  await cleanup();

  const serverProblems = Object.fromEntries(servers.map((s) => [s.name, Object.fromEntries(s.problems)]));
  const invariantsPass = results.every((r) => r.checks.every((c) => c.pass));
  const errors = Object.fromEntries(
    results.filter((r) => Object.keys(r.unexpected).length > 0).map((r) => [r.name, r.unexpected]),
  );
  const allPass = invariantsPass && Object.keys(errors).length === 0;
  const summary = {
    runId,
    node: process.version,
    serverCommand,
    servers: servers.length,
    students: STUDENTS,
    workloads: results,
    lifetimePeakRssMiB,
    serverProblems,
    invariantsPass,
    errors,
    pass: allPass,
  };

  if (JSON_OUTPUT) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const out: string[] = [
      `Booking benchmark — run ${runId}, ${servers.length} instances of \`${serverCommand}\` (${TUNABLES.map((k) => `${k}=${process.env[k] ?? (k === 'DB_POOL_MAX' ? '10' : 'default')}`).join(' ')}), Node ${process.version}`,
      '',
    ];
    for (const r of results) out.push(renderWorkload(r), '');
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
      `invariant checks: ${invariantsPass ? 'PASS' : 'FAIL'}`,
      `errors: ${
        Object.keys(errors).length === 0
          ? 'none'
          : Object.entries(errors)
              .map(([w, e]) => `${w}: ${formatOutcomes(e)}`)
              .join('; ')
      }`,
      `OVERALL: ${allPass ? 'PASS' : 'FAIL'}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
  process.exitCode = allPass ? 0 : 1;
}

main().then(
  () => clearTimeout(budget),
  (err: unknown) => void abort(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 1),
);
