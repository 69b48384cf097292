/**
 * Migration toolkit benchmark: a live-shaped source (schema hubspot_sync, the drifted types, mixed
 * epoch/ISO times) generated with generate_series, imported into a migrated target by the real
 * `migrate:import` CLI in a child process whose peak RSS (VmHWM) is sampled from /proc; then the
 * same import again (nothing changed: the parallel-run re-import), then `migrate:verify`.
 *
 *   npm run bench:import                                   # 200,000 bookings, batches of 1,000
 *   npm run bench:import -- --bookings 50000 --batch 2000
 *
 * Uses DATABASE_URL as an admin URL (default postgres://postgres@127.0.0.1:5432/postgres): it creates
 * `mb_bench_import_<random>_source` and `…_target` there and drops both at the end, on error and on
 * SIGINT/SIGTERM. Nothing else is touched.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../db/client';
import { databaseUrlFor } from '../db/databaseUrl';
import { migrateDatabase } from '../db/migrate';
import { loadConfig } from '../server/config';
import { generatedSizes, generatedSourceSql, liveSourceDdl } from '../test/helpers/supabaseSourceSchema';
import { runAsAdmin } from './adminSql';

const USAGE = `Usage: npm run bench:import [-- --bookings <n> --batch <n>]

Generates a live-shaped source in throwaway databases on DATABASE_URL (an admin URL), imports and
verifies it with the migrate:import / migrate:verify CLIs, and reports rows/s and peak RSS.

  --bookings <n>   bookings generated (default 200000)
  --batch <n>      rows per page and upsert (default 1000)`;
const { values } = (() => {
  try {
    return parseArgs({
      options: {
        bookings: { type: 'string', default: '200000' },
        batch: { type: 'string', default: '1000' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const BOOKINGS = Number(values.bookings);
const BATCH = Number(values.batch);
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const runId = randomBytes(4).toString('hex');
const sourceName = `mb_bench_import_${runId}_source`;
const targetName = `mb_bench_import_${runId}_target`;
const scratch = mkdtempSync(join(tmpdir(), 'mb-bench-import-'));

const urlFor = (name: string) => databaseUrlFor(ADMIN_URL, name);
const log = (line: string) => process.stderr.write(`${line}\n`);

const asAdmin = (sql: string) => runAsAdmin(ADMIN_URL, sql);

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const name of [sourceName, targetName])
    await asAdmin(`drop database if exists "${name}" with (force)`).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

/** Peak resident memory of a child, from the kernel's own high-water mark (VmHWM), sampled until exit. */
function peakRssSampler(pid: number) {
  let peakKb = 0;
  const read = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // gone already, or not Linux
    }
  };
  const timer = setInterval(read, 20);
  return {
    stop() {
      clearInterval(timer);
      return peakKb;
    },
  };
}

interface CliResult {
  code: number | null;
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

async function runCli(script: string, args: string[]): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `tools/cli/${script}.ts`, ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: urlFor(targetName),
      TZ: 'America/Toronto',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const sampler = peakRssSampler(child.pid!);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, seconds: (performance.now() - started) / 1000, peakRssMb: sampler.stop() / 1024, stdout };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const sizes = generatedSizes(BOOKINGS);
  const totalRows = sizes.bookings + sizes.contacts + sizes.exams + 3;
  log(
    `bench:import ${runId}: ${fmt(sizes.bookings)} bookings, ${fmt(sizes.contacts)} contacts, ${fmt(sizes.exams)} sessions, batch ${BATCH}`,
  );
  await asAdmin(`create database "${sourceName}"`);
  await asAdmin(`create database "${targetName}"`);

  const targetConfig = loadConfig({ DATABASE_URL: urlFor(targetName) }).database;
  if (targetConfig.kind !== 'postgres') throw new Error('unreachable: DATABASE_URL selects postgres');
  const target = openPostgres(targetConfig, console);
  await migrateDatabase(target);
  await target.close();

  const generationStarted = performance.now();
  const source = new pg.Client({ connectionString: urlFor(sourceName) });
  await source.connect();
  await source.query(liveSourceDdl('hubspot_sync'));
  await source.query(generatedSourceSql('hubspot_sync', BOOKINGS));
  await source.end();
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  log(`source generated in ${generationSeconds.toFixed(1)} s`);

  const sourceArgs = ['--source', urlFor(sourceName)];
  const firstReport = join(scratch, 'first.json');
  log('import (empty target)…');
  const first = await runCli('migrateImport', [...sourceArgs, '--batch', String(BATCH), '--report', firstReport]);
  if (first.code !== 0) throw new Error(`import exited ${first.code}:\n${first.stdout}`);
  const bookingsTable = (
    JSON.parse(readFileSync(firstReport, 'utf8')) as {
      tables: Array<{ table: string; rowsPerSecond: number; seconds: number }>;
    }
  ).tables.find((t) => t.table === 'hubspot_bookings')!;
  log('import again (nothing changed)…');
  const again = await runCli('migrateImport', [...sourceArgs, '--batch', String(BATCH)]);
  if (again.code !== 0) throw new Error(`re-import exited ${again.code}:\n${again.stdout}`);
  log('verify…');
  const verify = await runCli('migrateVerify', sourceArgs);
  if (verify.code !== 0) throw new Error(`verify exited ${verify.code}:\n${verify.stdout}`);

  const summary = (stdout: string) =>
    stdout.split('\n').filter((l) => /^\s{2}\S+: \d+\/\d+ read|^\s{2}\S+: source \d+/.test(l));
  const lines = [
    `Migration import benchmark (${fmt(sizes.bookings)} bookings + ${fmt(sizes.contacts)} contacts + ${fmt(sizes.exams)} sessions + 3 sync rows = ${fmt(totalRows)} rows; batch ${BATCH})`,
    `  source generated (generate_series):   ${generationSeconds.toFixed(1)} s`,
    `  import into an empty target:          ${first.seconds.toFixed(1)} s  ${fmt(totalRows / first.seconds)} rows/s overall, hubspot_bookings ${fmt(bookingsTable.rowsPerSecond)} rows/s  peak RSS ${first.peakRssMb.toFixed(0)} MB`,
    ...summary(first.stdout).map((l) => `    ${l.trim()}`),
    `  re-import, nothing changed:           ${again.seconds.toFixed(1)} s  ${fmt(totalRows / again.seconds)} rows/s  peak RSS ${again.peakRssMb.toFixed(0)} MB`,
    `  verify (clean):                       ${verify.seconds.toFixed(1)} s  peak RSS ${verify.peakRssMb.toFixed(0)} MB`,
    ...summary(verify.stdout).map((l) => `    ${l.trim()}`),
    '  (times are wall clock of the CLI process, Node start-up included; peak RSS is the kernel VmHWM of that process)',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  await main();
} catch (err) {
  log(`bench:import failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
