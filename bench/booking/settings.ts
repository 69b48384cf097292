import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const USAGE = `Usage: npm run bench [-- --json] [-- --source]

Booking benchmark against the configured Postgres (DATABASE_URL, an admin URL: it creates and drops
a throwaway database mb_bench_<run>) and Redis (REDIS_URL, keys under mb:bench:<run>:).
The servers run the production command, \`node dist/server/main.js\`; dist/ is rebuilt first
unless it is newer than its sources.

  --json            print the results as JSON instead of tables
  --source          run the servers from TypeScript (\`node --import tsx server/main.ts\`) instead
  --only <list>     run only these workloads (comma list of meta,spread,pgbench,floor,stampede,listing,open,admin);
                    the targets table then shows only what ran; floor (bare Node servers doing the
                    booking's round trips) measures A's floor, and B's too when stampede runs
  --cpu-prof <dir>  server1 writes a V8 CPU profile (node --cpu-prof) into <dir> when it stops

BENCH_SERVER_NODE_ARGS passes V8/Node flags to the two servers only, on their command line (so
flags that NODE_OPTIONS refuses work too), e.g. BENCH_SERVER_NODE_ARGS='--max-old-space-size=128' npm run bench`;

export const WORKLOADS = ['meta', 'spread', 'pgbench', 'floor', 'stampede', 'listing', 'open', 'admin'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** The arguments, like every CLI's: node:util parseArgs, strict (unknown flags refused), --help. */
function benchArgs(): { json: boolean; source: boolean; only: Set<WorkloadName>; cpuProfDir: string | undefined } {
  try {
    const { values } = parseArgs({
      options: {
        json: { type: 'boolean' },
        source: { type: 'boolean' },
        only: { type: 'string' },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const only = values.only === undefined ? [...WORKLOADS] : values.only.split(',').map((w) => w.trim());
    const unknown = only.filter((w) => !(WORKLOADS as readonly string[]).includes(w));
    if (unknown.length > 0) throw new Error(`--only: unknown workload(s) ${unknown.join(', ')}`);
    return {
      json: values.json === true,
      source: values.source === true,
      only: new Set(only as WorkloadName[]),
      cpuProfDir: values['cpu-prof'],
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

const args = benchArgs();
export const JSON_OUTPUT = args.json;
/** Servers from source through tsx rather than the production build. */
export const FROM_SOURCE = args.source;
export const ONLY = args.only;
export const CPU_PROF_DIR = args.cpuProfDir;

/** The issue 13 fixture: 2,000 students, 500 roomy sessions, 50 release sessions of 8 seats. */
export const STUDENTS = 2_000;
export const LOGIN_CONCURRENCY = 100;

/** Workload A: every student books one of 500 roomy Clinical Skills sessions, 16 in flight. */
export const SPREAD_SESSIONS = 500;
export const SPREAD_CAPACITY = 40;
export const SPREAD_CONCURRENCY = 16;

/**
 * Before A: fresh servers' first bookings, by the warm-up's own students on its own sessions, deleted
 * afterwards (workloads/warmUp.ts says why A is measured warm). 6,000 bookings: CPU per booking had
 * settled by ~7,000 under wrk, and the pass takes ~10 s at the cold rate.
 */
export const WARMUP_STUDENTS = 200;
export const WARMUP_SESSIONS = 300;
export const WARMUP_BOOKINGS_PER_STUDENT = 30;

/** Workload B: 50 closed Situational Judgment sessions of 8 seats released at once to every student. */
export const STAMPEDE_SESSIONS = 50;
export const STAMPEDE_CAPACITY = 8;

/** Roomy Mini-mock sessions that make the listing 550 bookable sessions once the stampede's are full. */
export const LISTING_EXTRA_SESSIONS = 50;
/** Workload C: exams.available (no filter) against a bare node:http server sending the same bytes. */
export const LISTING_CONCURRENCY = 32;
export const LISTING_SECONDS = 4;

/** Workload D: open loop at the seed's target rate, p95 of each. */
export const OPEN_LOOP_BOOKINGS_PER_S = 50;
export const OPEN_LOOP_READS_PER_S = 150;
export const OPEN_LOOP_SECONDS = 8;

/** Workload E (issue 10): the admin screens over ADMIN_SESSIONS sessions and one full session. */
export const ADMIN_SESSIONS = 5_000;
export const ADMIN_PAGE_SIZE = 50;
export const ADMIN_FULL_SESSION_SEATS = 100;
export const ADMIN_LIST_CALLS = 200;
export const ADMIN_ROSTER_CALLS = 200;
/** One more than a multiple of three: the Yes → No → unmark cycle ends on Yes. */
export const ADMIN_MARK_CALLS = 31;

/** The booking ceiling: pgbench running the service's booking transaction, same clients as workload A. */
export const PGBENCH_CLIENTS = SPREAD_CONCURRENCY;
export const PGBENCH_SECONDS = 5;

/** Issue 13's targets, printed beside the figures. */
export const TARGETS = {
  spreadVsPgbench: 0.6,
  stampedeWallMs: 1_500,
  listingVsBare: 0.5,
  openLoopP95Ms: 25,
  peakRssMiB: 150,
};

export const SERVER_START_TIMEOUT_MS = 30_000;
export const SERVER_STOP_TIMEOUT_MS = 20_000;
/** The whole run, setup and cleanup included, must end well inside five minutes. */
export const TOTAL_BUDGET_MS = 240_000;
export const RSS_SAMPLE_MS = 100;

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const runId = randomBytes(4).toString('hex');
export const databaseName = `mb_bench_${runId}`;
export const redisPrefix = `mb:bench:${runId}:`;
export const sessionSecret = randomBytes(32).toString('hex');

export const log = (msg: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
export const startedAt = performance.now();
