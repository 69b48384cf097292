import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ENTRY_POINT, NODE_FLAGS } from '../../infra/lib/serviceRuntime';
import { inheritedEnv } from '../../server/lib/childEnv';
import { sleep } from '../../server/lib/time';
import { type ServerProcess, state, stopIfAborting } from './cleanup';
import { requests } from './measure';
import { FROM_SOURCE, REDIS_URL, redisPrefix, repoRoot, SERVER_START_TIMEOUT_MS, sessionSecret } from './settings';
import { adminKeyFile } from './workloads/admin';

/** V8/Node flags for the servers only, to weigh memory against speed: `BENCH_SERVER_NODE_ARGS='--max-old-space-size=128'`. */
const EXTRA_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

/**
 * What production runs (infra/lib/serviceRuntime.ts: its V8 flags, then the entry point), or
 * (`--source`) the same flags on the TypeScript source, without npm in between. BENCH_SERVER_NODE_ARGS
 * come after production's flags, so they can override them (V8 takes a flag's last value).
 */
export const SERVER_ARGS = [
  ...NODE_FLAGS,
  ...EXTRA_NODE_ARGS,
  ...(FROM_SOURCE ? ['--import', 'tsx', 'server/main.ts'] : [ENTRY_POINT]),
];

export const TUNABLES = [
  'DB_POOL_MAX',
  'DB_POOL_MIN',
  'DB_BOOKING_POOL_MAX',
  'DB_BOOKING_POOL_MIN',
  'DB_IDLE_TIMEOUT_MS',
  'BOOKING_LOCK_WAIT_MS',
  'BOOKING_LOCK_TTL_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'LANE_MAX_ACTIVE_CALLS',
  // glibc's malloc arenas (one per thread by default, up to 8 × cores): RSS outside the V8 heap.
  'MALLOC_ARENA_MAX',
];

export function serverEnv(benchDatabaseUrl: string): Record<string, string> {
  return {
    ...inheritedEnv(),
    DATABASE_URL: benchDatabaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    // "listening" (with the URL) is an info line; the logs are parsed, never printed.
    LOG_LEVEL: 'info',
    SESSION_SECRET: sessionSecret,
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    LOGIN_RATE_LIMIT_PER_IP: '100000',
    LOGIN_RATE_LIMIT_PER_STUDENT: '1000',
    BOOKING_RATE_LIMIT_PER_STUDENT: '100000',
    DB_POOL_MAX: '10',
    // The admin workload's tokens come from this run's own development issuer key.
    ADMIN_DEV_KEY_FILE: adminKeyFile,
    // Server tuning to compare configurations: `DB_BOOKING_POOL_MAX=10 npm run bench`.
    ...Object.fromEntries(TUNABLES.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))),
  };
}

/** Warn/error log lines other than expected 4xx request lines, keyed so that repeats collapse. */
export function recordServerLine(server: ServerProcess, entry: Record<string, unknown>): void {
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

export async function startServer(
  name: string,
  benchDatabaseUrl: string,
  serverArgs: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...serverArgs, ...SERVER_ARGS], {
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
    requests.inFlight++;
    const ok = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(3_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      })
      .catch(() => false)
      .finally(() => requests.inFlight--);
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
