import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const JSON_OUTPUT = process.argv.includes('--json');

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
