// `npm run bench:admin -- --rows 10000`: what an admin CSV export costs (time, peak memory), as a figure
// to read, never a pass/fail. Runs the real service in this process against a scratch database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrlFor } from '../../db/databaseUrl';
import { signDevToken } from '../../server/admin/auth/devIssuer';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startService } from '../../server/runtime/service';
import { parseCliArgs } from '../cliKit/args';

const args = parseCliArgs(
  `Usage: npm run bench:admin -- [--rows <n>] [--server <postgres url>] [--runs <n>]

Creates a scratch database on the server (default postgres://postgres@127.0.0.1:5432/postgres), fills
it with <n> bookings (default 10000) over sessions of 100 seats, starts the service in this process,
and downloads GET /api/admin/exports/bookings.csv over HTTP <runs> times (default 3), then the roster
of one full session 20 times. Prints time to first byte, total time, bytes, and the process's peak
RSS and heap during the downloads. Drops the database afterwards. A figure, not a test.`,
  {
    rows: { type: 'string', default: '10000' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    runs: { type: 'string', default: '3' },
  },
);
const rows = Number(args.rows);
const runs = Number(args.runs);
if (!Number.isInteger(rows) || rows < 100 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--rows must be a whole number ≥ 100, --runs ≥ 1\n');
  process.exit(2);
}

const name = `mb_bench_admin_${process.pid}`;
const admin = new pg.Client({ connectionString: args.server });
await admin.connect();
await admin.query(`create database "${name}"`);
const dir = await mkdtemp(join(tmpdir(), 'bench-admin-'));
const keyFile = join(dir, 'key.json');
const config = loadConfig({
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: '0',
  METRICS_PORT: '0',
  LOG_LEVEL: 'silent',
  DATABASE_URL: databaseUrlFor(args.server, name),
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `${name}:`,
  JOBS_ENABLED: 'false',
  ADMIN_DEV_KEY_FILE: keyFile,
});
const service = await startService(config, createLogger('silent'));
try {
  await service.databaseReady;
  const db = new pg.Client({ connectionString: databaseUrlFor(args.server, name) });
  await db.connect();
  const sessions = Math.ceil(rows / 100);
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time, end_time, location, capacity, total_bookings, is_active)
     select 'bench-' || d, 'Clinical Skills', date '2040-01-01' + d, timestamptz '2040-01-01 14:00Z' + d * interval '1 day',
            timestamptz '2040-01-01 17:00Z' + d * interval '1 day', 'Toronto', 100, 100, 'true' from generate_series(0, $1 - 1) d`,
    [sessions],
  );
  await db.query(
    `insert into hubspot_bookings (associated_contact_id, associated_mock_exam, exam_date, start_time, end_time, mock_type, token_used, is_active, name, student_email, student_id)
     select 'bench-contact-' || n, e.hubspot_id, e.exam_date, e.start_time, e.end_time, e.mock_type, 'Clinical Skills Token', 'Active',
            'Student ' || n, 'student' || n || '@example.com', 'S' || n
     from hubspot_mock_exams e cross join generate_series(1, 100) n where e.hubspot_id like 'bench-%' limit $1`,
    [rows],
  );
  await db.end();
  const token = await signDevToken(keyFile, { email: 'bench@school.example', role: 'admin', ttlSeconds: 3600 });

  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const download = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    let firstByte = 0;
    let bytes = 0;
    for await (const chunk of res.body!) {
      if (!firstByte) firstByte = performance.now() - started;
      bytes += (chunk as Uint8Array).byteLength;
    }
    return { firstByteMs: firstByte, totalMs: performance.now() - started, bytes };
  };
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const before = process.memoryUsage();
  process.stdout.write(
    `admin export bench: ${rows} bookings over ${sessions} sessions; before downloads rss ${mb(before.rss)}, heap ${mb(before.heapUsed)}\n`,
  );
  for (let i = 0; i < runs; i++) {
    const r = await download('/api/admin/exports/bookings.csv?from=2040-01-01&to=2099-12-31');
    process.stdout.write(
      `  bookings.csv run ${i + 1}: first byte ${r.firstByteMs.toFixed(0)} ms, total ${r.totalMs.toFixed(0)} ms, ${mb(r.bytes)} (${Math.round((rows / r.totalMs) * 1000)} rows/s)\n`,
    );
  }
  const roster: number[] = [];
  for (let i = 0; i < 20; i++) roster.push((await download('/api/admin/exports/roster/bench-0.csv')).totalMs);
  roster.sort((a, b) => a - b);
  clearInterval(sampler);
  process.stdout.write(
    `  roster of a full session (100 rows), 20 runs: p50 ${roster[9]!.toFixed(1)} ms, p95 ${roster[18]!.toFixed(1)} ms\n` +
      `  peak during downloads: rss ${mb(peakRss)}, heap ${mb(peakHeap)} (service and client in one process)\n`,
  );
} finally {
  await service.shutdown('bench finished');
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
