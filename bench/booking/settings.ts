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

  --json    print the results as JSON instead of tables
  --source  run the servers from TypeScript (\`node --import tsx server/main.ts\`) instead`;

/** The arguments, like every CLI's: node:util parseArgs, strict (unknown flags refused), --help. */
function benchArgs(): { json: boolean; source: boolean } {
  try {
    const { values } = parseArgs({
      options: { json: { type: 'boolean' }, source: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    return { json: values.json === true, source: values.source === true };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

const args = benchArgs();
export const JSON_OUTPUT = args.json;
/** Servers from source through tsx rather than the production build. */
export const FROM_SOURCE = args.source;

export const STUDENTS = 2_000;
export const LOGIN_CONCURRENCY = 100;

export const SPREAD_SESSIONS = 50;
export const SPREAD_CAPACITY = 40;
export const SPREAD_CONCURRENCY = 200;
export const SPREAD_READS_PER_BOOKING = 3;

export const STAMPEDE_SESSIONS = 50;
export const STAMPEDE_CAPACITY = 8;

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
