/**
 * Booking benchmark: two real server processes sharing one throwaway PostgreSQL database and one
 * Redis key prefix, driven through the typed client package.
 *
 *   npm run bench            # readable tables on stdout (progress on stderr)
 *   npm run bench -- --json  # a JSON summary on stdout instead
 *
 * Workload A "spread":  50 Clinical Skills sessions × 40 seats; 2,000 students book once each on a
 *                       random session (≈200 requests in flight), plus 3 reads per booking.
 * Workload B "stampede": 50 new Situational Judgment sessions × 8 seats are released at once and all
 *                       2,000 students fire `bookings.create` in the same instant; exactly 400 may win.
 *
 * Uses DATABASE_URL (an admin URL: it creates and drops `mb_bench_<random>`) and REDIS_URL (keys under
 * `mb:bench:<random>:`, deleted at the end). Nothing else is touched; everything is removed again on
 * success, on error, on SIGINT/SIGTERM and when the overall time budget runs out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TRPCClientError } from '@trpc/client';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Client, createClient, isAppError } from '../client/src';
import { openPostgres } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { loadConfig } from '../server/config';
import { sleep } from '../server/lib/time';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const JSON_OUTPUT = process.argv.includes('--json');

const STUDENTS = 2_000;
const LOGIN_CONCURRENCY = 100;

const SPREAD_SESSIONS = 50;
const SPREAD_CAPACITY = 40;
const SPREAD_CONCURRENCY = 200;
const SPREAD_READS_PER_BOOKING = 3;

const STAMPEDE_SESSIONS = 50;
const STAMPEDE_CAPACITY = 8;

const SERVER_START_TIMEOUT_MS = 30_000;
const SERVER_STOP_TIMEOUT_MS = 20_000;
/** The whole run, setup and cleanup included, must end well inside five minutes. */
const TOTAL_BUDGET_MS = 240_000;
const RSS_SAMPLE_MS = 100;

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const runId = randomBytes(4).toString('hex');
const databaseName = `mb_bench_${runId}`;
const redisPrefix = `mb:bench:${runId}:`;
const sessionSecret = randomBytes(32).toString('hex');

const log = (msg: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
const startedAt = performance.now();

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Resources and their cleanup (runs once, whatever ends the run)
// ---------------------------------------------------------------------------------------------

interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<number | string>;
  stderr: () => string;
  /** Server log lines at warn level or above, counted by a short key. */
  problems: Map<string, number>;
  problemSamples: string[];
}

const state: {
  databaseCreated: boolean;
  servers: ServerProcess[];
  benchDb?: pg.Client;
} = { databaseCreated: false, servers: [] };

async function stopServer(server: ServerProcess): Promise<number | string> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), SERVER_STOP_TIMEOUT_MS)),
  );
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    log(`${server.name} did not exit within ${SERVER_STOP_TIMEOUT_MS} ms of SIGTERM: killing it`);
    server.child.kill('SIGKILL');
    return `killed (${await server.exited})`;
  }
  return result;
}

async function deleteRedisKeys(): Promise<number> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // the failure surfaces through the awaited calls below
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    // Bounded: SCAN terminates, and this prefix only holds what the run created.
    for (let rounds = 0; rounds < 100_000; rounds++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

let cleanupPromise: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleanupPromise ??= (async () => {
    const exitCodes = await Promise.all(state.servers.map(async (s) => [s.name, await stopServer(s)] as const));
    if (exitCodes.length > 0) log(`servers stopped: ${exitCodes.map(([n, c]) => `${n}=${c}`).join(', ')}`);
    await state.benchDb?.end().catch(() => undefined);
    if (state.databaseCreated) {
      const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
      try {
        await admin.connect();
        await admin.query(`drop database if exists "${databaseName}" with (force)`);
        log(`dropped database ${databaseName}`);
      } catch (err) {
        log(`could not drop database ${databaseName}: ${(err as Error).message}`);
      } finally {
        await admin.end().catch(() => undefined);
      }
    }
    try {
      const n = await deleteRedisKeys();
      log(`deleted ${n} Redis keys under ${redisPrefix}`);
    } catch (err) {
      log(`could not delete Redis keys under "${redisPrefix}": ${(err as Error).message}`);
    }
  })();
  return cleanupPromise;
}

/**
 * Set when the run is being aborted: workers start no new request. (That matters for the servers'
 * graceful stop: Node keeps serving new requests on busy keep-alive connections after close().)
 */
let aborting = false;
async function abort(reason: string, code: number): Promise<never> {
  if (!aborting) {
    aborting = true;
    log(`aborting: ${reason}`);
    // Cleanup waits up to 10 s for answers, SERVER_STOP_TIMEOUT_MS for the servers, then a few seconds for the rest.
    const hardStop = setTimeout(() => process.exit(code), SERVER_STOP_TIMEOUT_MS + 35_000);
    hardStop.unref();
    // Let requests already sent be answered first: a server told to stop while its keep-alive
    // connections are busy keeps them open afterwards and only exits at its SHUTDOWN_TIMEOUT_MS.
    const drainUntil = Date.now() + 10_000;
    while (inFlight > 0 && Date.now() < drainUntil) await sleep(50);
    if (inFlight > 0) log(`${inFlight} requests still unanswered; stopping the servers anyway`);
    await cleanup().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

/** Called between phases: an aborting run goes no further (abort() does the cleanup). */
function stopIfAborting(): void {
  if (aborting) throw new Error('aborted');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void abort(`received ${signal}`, 130));
}
const budget = setTimeout(() => void abort(`time budget of ${TOTAL_BUDGET_MS / 1000} s exceeded`, 1), TOTAL_BUDGET_MS);
budget.unref();

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

const TUNABLES = [
  'DB_POOL_MAX',
  'DB_BOOKING_POOL_MAX',
  'BOOKING_LOCK_WAIT_MS',
  'BOOKING_LOCK_TTL_MS',
  'DB_STATEMENT_TIMEOUT_MS',
];

function serverEnv(benchDatabaseUrl: string): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  const base = Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  return {
    ...base,
    DATABASE_URL: benchDatabaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    PORT: '0',
    HOST: '127.0.0.1',
    // "listening" (with the URL) is an info line; the logs are parsed, never printed.
    LOG_LEVEL: 'info',
    SESSION_SECRET: sessionSecret,
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    LOGIN_RATE_LIMIT_PER_IP: '100000',
    LOGIN_RATE_LIMIT_PER_STUDENT: '1000',
    DB_POOL_MAX: '10',
    // Server tuning to compare configurations: `DB_BOOKING_POOL_MAX=10 npm run bench`.
    ...Object.fromEntries(TUNABLES.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
  };
}

/** Warn/error log lines other than expected 4xx request lines, keyed so that repeats collapse. */
function recordServerLine(server: ServerProcess, entry: Record<string, unknown>): void {
  const level = typeof entry.level === 'number' ? entry.level : 0;
  if (level < 40) return;
  const res = entry.res as { statusCode?: number } | undefined;
  const status = res?.statusCode;
  // 4xx request lines (EXAM_FULL is a 409) are the expected answers; they are counted client-side.
  if (level === 40 && status !== undefined && status >= 400 && status < 500) return;
  const err = entry.err as { message?: string; type?: string } | string | undefined;
  const errText = typeof err === 'string' ? err : (err?.message ?? '');
  const key = `${level >= 50 ? 'ERROR' : 'WARN'} ${String(entry.msg ?? '')}${status ? ` [${status}]` : ''}${errText ? `: ${errText.slice(0, 120)}` : ''}`;
  server.problems.set(key, (server.problems.get(key) ?? 0) + 1);
  if (server.problemSamples.length < 5) server.problemSamples.push(JSON.stringify(entry).slice(0, 600));
}

async function startServer(name: string, benchDatabaseUrl: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: serverEnv(benchDatabaseUrl),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches only the bench, which stops the servers itself
    // once its requests are answered (see abort()).
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 100_000) stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const server: ServerProcess = {
    name,
    child,
    pid: child.pid ?? -1,
    url: '',
    exited,
    stderr: () => stderr,
    problems: new Map(),
    problemSamples: [],
  };
  state.servers.push(server);

  server.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not log "listening" within ${SERVER_START_TIMEOUT_MS} ms:\n${stderr}`)),
      SERVER_START_TIMEOUT_MS,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${stderr}`));
    });
    // Always drain stdout: a full pipe would block the server.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry.msg === 'listening' && typeof entry.url === 'string') {
        clearTimeout(timer);
        resolve(entry.url);
      }
      recordServerLine(server, entry);
    });
  });

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  for (;;) {
    stopIfAborting();
    inFlight++;
    const ok = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(3_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false)
      .finally(() => inFlight--);
    if (ok) break;
    if (Date.now() > deadline)
      throw new Error(`${name} at ${server.url} did not become healthy within ${SERVER_START_TIMEOUT_MS} ms`);
    await sleep(100);
  }
  // Start-up noise (health polled before migrations were checked) is not a finding.
  server.problems.clear();
  server.problemSamples.length = 0;
  return server;
}

// ---------------------------------------------------------------------------------------------
// Memory sampling
// ---------------------------------------------------------------------------------------------

function procStatusKb(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Resources {
  peakRssMiB: Record<string, number>;
  cpuSeconds: Record<string, number>;
  /** Share of all cores' time the machine was busy (every process, PostgreSQL and Redis included). */
  machineCpuBusyPercent: number | undefined;
}

/** User + system CPU seconds a process has used so far (from /proc/<pid>/stat; `self` via Node). */
function cpuSeconds(pid: number | 'self'): number | undefined {
  if (pid === 'self') {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100/s on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Per phase: max VmRSS (MiB) per process sampled every 100 ms, CPU seconds per process, machine CPU load. */
class ResourceSampler {
  private peaks = new Map<string, number>();
  private cpuAtStart = new Map<string, number>();
  private machineAtStart: { busy: number; total: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly targets: () => Array<{ name: string; pid: number | 'self' }>) {}
  start(): void {
    this.peaks.clear();
    this.cpuAtStart.clear();
    this.machineAtStart = machineJiffies();
    for (const { name, pid } of this.targets()) {
      const cpu = cpuSeconds(pid);
      if (cpu !== undefined) this.cpuAtStart.set(name, cpu);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
  }
  stop(): Resources {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const cpu: Record<string, number> = {};
    for (const { name, pid } of this.targets()) {
      const now = cpuSeconds(pid);
      const before = this.cpuAtStart.get(name);
      if (now !== undefined && before !== undefined) cpu[name] = Math.round((now - before) * 100) / 100;
    }
    const machine = machineJiffies();
    const start = this.machineAtStart;
    const machineCpuBusyPercent =
      machine && start && machine.total > start.total
        ? Math.round((100 * (machine.busy - start.busy)) / (machine.total - start.total))
        : undefined;
    return { peakRssMiB: Object.fromEntries(this.peaks), cpuSeconds: cpu, machineCpuBusyPercent };
  }
  private sample(): void {
    for (const { name, pid } of this.targets()) {
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== undefined) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, round1(kb / 1024)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

interface Sample {
  op: string;
  ms: number;
  outcome: string;
  /** performance.now() when the answer arrived. */
  end: number;
}

function outcomeOf(err: unknown): string {
  if (isAppError(err)) return err.data.appCode;
  if (err instanceof TRPCClientError) return `TRPC_CLIENT_ERROR(${err.message.slice(0, 80)})`;
  const e = err as { name?: string; message?: string; cause?: { code?: string } } | undefined;
  return `${e?.name ?? 'Error'}(${e?.cause?.code ?? e?.message?.slice(0, 80) ?? String(err)})`;
}

/** Requests sent and not yet answered (an aborting run waits for them before stopping the servers). */
let inFlight = 0;

async function timed<T>(samples: Sample[], op: string, call: () => Promise<T>): Promise<T | undefined> {
  const start = performance.now();
  inFlight++;
  try {
    const value = await call();
    const end = performance.now();
    samples.push({ op, ms: end - start, outcome: 'ok', end });
    return value;
  } catch (err) {
    const end = performance.now();
    samples.push({ op, ms: end - start, outcome: outcomeOf(err), end });
    return undefined;
  } finally {
    inFlight--;
  }
}

/** Runs every task with at most `limit` in flight; starts no new one once the run is aborting. */
async function runPool(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !aborting) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface LatencyStats {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  outcomes: Record<string, number>;
  /** The same figures per outcome, where an operation had more than one. */
  byOutcome?: Record<string, Omit<LatencyStats, 'byOutcome' | 'outcomes'>>;
}

function stats(samples: Sample[], splitByOutcome = false): LatencyStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const outcomes: Record<string, number> = {};
  for (const s of samples) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  return {
    requests: samples.length,
    p50: round1(percentile(sorted, 50)),
    p95: round1(percentile(sorted, 95)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted.at(-1) ?? 0),
    outcomes,
    ...(splitByOutcome && Object.keys(outcomes).length > 1
      ? {
          byOutcome: Object.fromEntries(
            Object.keys(outcomes).map((o) => {
              const { outcomes: _o, byOutcome: _b, ...figures } = stats(samples.filter((s) => s.outcome === o));
              return [o, figures];
            }),
          ),
        }
      : {}),
  };
}

interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

interface WorkloadResult {
  name: string;
  description: string;
  requests: number;
  wallMs: number;
  throughput: number;
  overall: LatencyStats;
  byOperation: Record<string, LatencyStats>;
  peakRssMiB: Record<string, number>;
  /** CPU seconds each process used during the workload (2 cores ⇒ at most 2 × wall in total). */
  cpuSeconds: Record<string, number>;
  machineCpuBusyPercent: number | undefined;
  /** Extra figures of a workload (e.g. when the stampede's last seat went). */
  notes: string[];
  unexpected: Record<string, number>;
  checks: Check[];
}

function summarize(
  name: string,
  description: string,
  samples: Sample[],
  wallMs: number,
  resources: Resources,
  expected: Set<string>,
  checks: Check[] = [],
  notes: string[] = [],
): WorkloadResult {
  const ops = [...new Set(samples.map((s) => s.op))];
  const overall = stats(samples);
  const unexpected = Object.fromEntries(Object.entries(overall.outcomes).filter(([k]) => !expected.has(k)));
  return {
    name,
    description,
    requests: samples.length,
    wallMs: Math.round(wallMs),
    throughput: round1(samples.length / (wallMs / 1000)),
    overall,
    byOperation: Object.fromEntries(
      ops.map((op) => [
        op,
        stats(
          samples.filter((s) => s.op === op),
          true,
        ),
      ]),
    ),
    peakRssMiB: resources.peakRssMiB,
    cpuSeconds: resources.cpuSeconds,
    machineCpuBusyPercent: resources.machineCpuBusyPercent,
    notes,
    unexpected,
    checks,
  };
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

interface Student {
  n: number;
  studentId: string;
  email: string;
  contactId: string;
  token?: string;
  client?: Client;
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function insertRows(
  db: pg.Client,
  table: string,
  columns: string[],
  rows: unknown[][],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const placeholder = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const tuples = part.map((row) => `(${row.map(placeholder).join(', ')})`);
    await db.query(`insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`, params);
  }
}

async function seedStudents(db: pg.Client): Promise<Student[]> {
  const students: Student[] = Array.from({ length: STUDENTS }, (_, i) => ({
    n: i + 1,
    studentId: `B${i + 1}`,
    email: `b${i + 1}@example.com`,
    contactId: `bench-c-${i + 1}`,
  }));
  await insertRows(
    db,
    'hubspot_contact_credits',
    ['hubspot_id', 'student_id', 'email', 'firstname', 'lastname', 'cs_credits', 'sj_credits', 'shared_mock_credits'],
    students.map((s) => [s.contactId, s.studentId, s.email, 'Bench', `Student ${s.n}`, 5, 5, 1]),
  );
  return students;
}

/** Sessions on distinct dates (a student may then book several of a type), starting at 09:00 UTC. */
async function seedSessions(
  db: pg.Client,
  prefix: string,
  mockType: string,
  count: number,
  capacity: number,
  firstDayOffset: number,
  isActive: 'true' | 'false',
): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => {
    const day = isoDay(firstDayOffset + i);
    return [
      `${prefix}-${i + 1}`,
      mockType,
      'A',
      day,
      `${day}T09:00:00Z`,
      `${day}T12:00:00Z`,
      'Toronto',
      capacity,
      isActive,
    ];
  });
  await insertRows(
    db,
    'hubspot_mock_exams',
    ['hubspot_id', 'mock_type', 'mock_set', 'exam_date', 'start_time', 'end_time', 'location', 'capacity', 'is_active'],
    rows,
  );
  return rows.map((r) => r[0] as string);
}

interface SessionCount {
  hubspot_id: string;
  capacity: number;
  total_bookings: number;
  active: number;
}

async function sessionCounts(db: pg.Client, prefix: string): Promise<SessionCount[]> {
  const { rows } = await db.query<SessionCount>(
    `select e.hubspot_id, e.capacity, e.total_bookings,
            (select count(*)::int from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') as active
       from hubspot_mock_exams e where e.hubspot_id like $1 order by e.hubspot_id`,
    [`${prefix}-%`],
  );
  return rows;
}

/** The seat invariant of one workload's sessions, plus what the clients were told. */
async function seatChecks(
  db: pg.Client,
  prefix: string,
  successes: number,
  expectedSuccesses: number,
  column: 'cs_credits' | 'sj_credits',
): Promise<Check[]> {
  const counts = await sessionCounts(db, prefix);
  const drifted = counts.filter((c) => c.total_bookings !== c.active);
  const over = counts.filter((c) => c.active > c.capacity);
  const booked = counts.reduce((sum, c) => sum + c.active, 0);
  const { rows } = await db.query<{ spent: number; negative: number }>(
    `select coalesce(sum(5 - ${column}), 0)::int as spent, count(*) filter (where ${column} < 0)::int as negative
       from hubspot_contact_credits where hubspot_id like 'bench-c-%'`,
  );
  const spent = rows[0]?.spent ?? -1;
  return [
    {
      name: 'total_bookings = active bookings, per session',
      pass: drifted.length === 0,
      detail:
        drifted.length === 0
          ? `${counts.length} sessions agree`
          : `drifted: ${drifted.map((c) => `${c.hubspot_id} total=${c.total_bookings} active=${c.active}`).join('; ')}`,
    },
    {
      name: 'active bookings ≤ capacity, per session',
      pass: over.length === 0,
      detail:
        over.length === 0
          ? `max ${Math.max(0, ...counts.map((c) => c.active))} of ${counts[0]?.capacity ?? '?'}`
          : `overbooked: ${over.map((c) => `${c.hubspot_id} ${c.active}/${c.capacity}`).join('; ')}`,
    },
    {
      name: 'bookings answered ok = booking rows',
      pass: booked === successes,
      detail: `client ok=${successes}, rows=${booked} (seats reachable by these requests: ${expectedSuccesses}${expectedSuccesses > successes ? `, ${expectedSuccesses - successes} left empty by errors` : ''})`,
    },
    {
      name: `credits spent (${column}) = bookings`,
      pass: spent === booked && (rows[0]?.negative ?? 1) === 0,
      detail: `spent=${spent}, bookings=${booked}`,
    },
  ];
}

/** Seats that can be won at most: per session, the smaller of its capacity and the requests aimed at it. */
function expectedWins(targets: string[], capacity: number): number {
  const perSession = new Map<string, number>();
  for (const t of targets) perSession.set(t, (perSession.get(t) ?? 0) + 1);
  return [...perSession.values()].reduce((sum, n) => sum + Math.min(n, capacity), 0);
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][], rightAlign: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const formatOutcomes = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => (a[0] === 'ok' ? -1 : b[0] === 'ok' ? 1 : b[1] - a[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

function renderWorkload(w: WorkloadResult): string {
  const figures = (label: string, s: Omit<LatencyStats, 'byOutcome' | 'outcomes'>, outcomes: string) => [
    label,
    String(s.requests),
    s.p50.toFixed(1),
    s.p95.toFixed(1),
    s.p99.toFixed(1),
    s.max.toFixed(1),
    outcomes,
  ];
  const rows = [
    ...Object.entries(w.byOperation).flatMap(([op, s]) => [
      figures(op, s, formatOutcomes(s.outcomes)),
      ...Object.entries(s.byOutcome ?? {}).map(([o, f]) => figures(`  ↳ ${o}`, f, '')),
    ]),
    [
      '(all)',
      String(w.overall.requests),
      w.overall.p50.toFixed(1),
      w.overall.p95.toFixed(1),
      w.overall.p99.toFixed(1),
      w.overall.max.toFixed(1),
      formatOutcomes(w.overall.outcomes),
    ],
  ];
  const out = [
    `== ${w.name}: ${w.description}`,
    `requests ${w.requests}   wall ${(w.wallMs / 1000).toFixed(2)} s   throughput ${w.throughput.toFixed(1)} req/s`,
    table(['operation', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'outcomes'], rows, new Set([1, 2, 3, 4, 5])),
    `peak RSS (sampled VmRSS): ${Object.entries(w.peakRssMiB)
      .map(([k, v]) => `${k} ${v.toFixed(1)} MiB`)
      .join(', ')}`,
    `CPU time: ${Object.entries(w.cpuSeconds)
      .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
      .join(', ')}; machine busy ${w.machineCpuBusyPercent ?? '?'}% of all cores`,
    ...w.notes,
  ];
  out.push(
    `errors (outcomes other than ${w.name.startsWith('login') ? 'ok' : 'ok and EXAM_FULL'}): ${Object.keys(w.unexpected).length > 0 ? formatOutcomes(w.unexpected) : 'none'}`,
  );
  for (const c of w.checks) out.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const adminHost = new URL(ADMIN_URL);
  log(
    `PostgreSQL ${adminHost.hostname}:${adminHost.port || 5432}, Redis ${new URL(REDIS_URL).host}; database ${databaseName}, Redis prefix ${redisPrefix}`,
  );

  // 1. Throwaway database with the schema.
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`create database "${databaseName}"`);
    state.databaseCreated = true;
  } finally {
    await admin.end();
  }
  const benchUrl = databaseUrl(ADMIN_URL, databaseName);
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

  // 4. Log everyone in once, alternating instances.
  stopIfAborting();
  {
    const anonymous = servers.map((s) => createClient({ url: trpcUrl(s) }));
    const samples: Sample[] = [];
    sampler.start();
    const t0 = performance.now();
    await runPool(
      students.map((student, i) => async () => {
        const session = await timed(samples, 'auth.login', () =>
          anonymous[i % 2]!.auth.login.mutate({ studentId: student.studentId, email: student.email }),
        );
        if (session) student.token = session.token;
      }),
      LOGIN_CONCURRENCY,
    );
    const wall = performance.now() - t0;
    const loggedIn = students.filter((s) => s.token).length;
    results.push(
      summarize(
        'login',
        `${STUDENTS} logins, ${LOGIN_CONCURRENCY} in flight, both instances`,
        samples,
        wall,
        sampler.stop(),
        new Set(['ok']),
        [{ name: 'every student logged in', pass: loggedIn === STUDENTS, detail: `${loggedIn}/${STUDENTS}` }],
      ),
    );
    log(`logged in ${loggedIn}/${STUDENTS} in ${(wall / 1000).toFixed(1)} s`);
    if (loggedIn === 0) throw new Error(`no student could log in: ${formatOutcomes(stats(samples).outcomes)}`);
    students.forEach((student, i) => {
      const token = student.token;
      student.client = createClient({ url: trpcUrl(servers[i % 2]!), getToken: () => token });
    });
  }
  const active = students.filter((s): s is Student & { client: Client } => Boolean(s.client));

  // 5. Workload A: spread bookings with reads mixed in.
  stopIfAborting();
  {
    const samples: Sample[] = [];
    const targets: string[] = [];
    const tasks: Array<() => Promise<unknown>> = [];
    for (const student of active) {
      const examId = pick(spreadExams);
      targets.push(examId);
      tasks.push(() => timed(samples, 'bookings.create', () => student.client.bookings.create.mutate({ examId })));
      for (let r = 0; r < SPREAD_READS_PER_BOOKING; r++) {
        tasks.push(
          r % 2 === 0
            ? () => timed(samples, 'exams.available', () => student.client.exams.available.query())
            : () => timed(samples, 'bookings.mine', () => student.client.bookings.mine.query()),
        );
      }
    }
    shuffle(tasks);
    log(`workload A: ${tasks.length} requests, ${SPREAD_CONCURRENCY} in flight`);
    sampler.start();
    const t0 = performance.now();
    await runPool(tasks, SPREAD_CONCURRENCY);
    const wall = performance.now() - t0;
    const resources = sampler.stop();
    const ok = samples.filter((s) => s.op === 'bookings.create' && s.outcome === 'ok').length;
    const checks = await seatChecks(db, 'bench-cs', ok, expectedWins(targets, SPREAD_CAPACITY), 'cs_credits');
    results.push(
      summarize(
        'A spread',
        `${SPREAD_SESSIONS} × ${SPREAD_CAPACITY} seats (Clinical Skills), ${active.length} bookings + ${SPREAD_READS_PER_BOOKING} reads each, ${SPREAD_CONCURRENCY} in flight`,
        samples,
        wall,
        resources,
        new Set(['ok', 'EXAM_FULL']),
        checks,
      ),
    );
    log(`workload A done in ${(wall / 1000).toFixed(1)} s`);
  }

  // 6. Workload B: release stampede.
  stopIfAborting();
  {
    const samples: Sample[] = [];
    const targets = active.map(() => pick(stampedeExams));
    const released = await db.query(
      `update hubspot_mock_exams set is_active = 'true' where hubspot_id like 'bench-sj-%'`,
    );
    log(`workload B: released ${released.rowCount} sessions; firing ${active.length} bookings at once`);
    sampler.start();
    const t0 = performance.now();
    await Promise.all(
      active.map((student, i) =>
        timed(samples, 'bookings.create', () => student.client.bookings.create.mutate({ examId: targets[i]! })),
      ),
    );
    const wall = performance.now() - t0;
    const resources = sampler.stop();
    const ok = samples.filter((s) => s.outcome === 'ok').length;
    const expected = expectedWins(targets, STAMPEDE_CAPACITY);
    const ends = (outcome: string) => samples.filter((s) => s.outcome === outcome).map((s) => s.end - t0);
    const okEnds = ends('ok');
    const fullEnds = ends('EXAM_FULL');
    const notes = [
      `timeline from release: first seat sold ${okEnds.length ? Math.round(Math.min(...okEnds)) : '-'} ms, last seat sold ${okEnds.length ? Math.round(Math.max(...okEnds)) : '-'} ms, ` +
        `first EXAM_FULL ${fullEnds.length ? Math.round(Math.min(...fullEnds)) : '-'} ms, last answer ${Math.round(wall)} ms`,
    ];
    const checks = await seatChecks(db, 'bench-sj', ok, expected, 'sj_credits');
    checks.unshift({
      name: `exactly ${STAMPEDE_SESSIONS * STAMPEDE_CAPACITY} bookings succeed`,
      pass: ok === STAMPEDE_SESSIONS * STAMPEDE_CAPACITY,
      detail: `ok=${ok}${expected !== STAMPEDE_SESSIONS * STAMPEDE_CAPACITY ? ` (only ${expected} reachable: some sessions drew fewer than ${STAMPEDE_CAPACITY} requests)` : ''}`,
    });
    results.push(
      summarize(
        'B stampede',
        `${STAMPEDE_SESSIONS} × ${STAMPEDE_CAPACITY} seats (Situational Judgment) released at once, ${active.length} simultaneous bookings`,
        samples,
        wall,
        resources,
        new Set(['ok', 'EXAM_FULL']),
        checks,
        notes,
      ),
    );
    log(`workload B done in ${(wall / 1000).toFixed(1)} s`);
  }

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
      `Booking benchmark — run ${runId}, ${servers.length} instances (${TUNABLES.map((k) => `${k}=${process.env[k] ?? (k === 'DB_POOL_MAX' ? '10' : 'default')}`).join(' ')}), Node ${process.version}`,
      '',
    ];
    for (const r of results) out.push(renderWorkload(r), '');
    out.push(
      `lifetime peak RSS (VmHWM): ${Object.entries(lifetimePeakRssMiB)
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
