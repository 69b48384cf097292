import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sleep, TimeoutError, withTimeout } from '../../server/lib/time';
import { requests } from './measure';
import {
  ADMIN_URL,
  databaseName,
  log,
  REDIS_URL,
  redisPrefix,
  SERVER_STOP_TIMEOUT_MS,
  TOTAL_BUDGET_MS,
} from './settings';

export interface ServerProcess {
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

export const state: {
  databaseCreated: boolean;
  servers: ServerProcess[];
  benchDb?: pg.Client;
} = { databaseCreated: false, servers: [] };

export async function stopServer(server: ServerProcess): Promise<number | string> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  const result = await withTimeout(server.exited, SERVER_STOP_TIMEOUT_MS).catch((err: unknown) => {
    if (err instanceof TimeoutError) return 'timeout' as const;
    throw err;
  });
  if (result === 'timeout') {
    log(`${server.name} did not exit within ${SERVER_STOP_TIMEOUT_MS} ms of SIGTERM: killing it`);
    server.child.kill('SIGKILL');
    return `killed (${await server.exited})`;
  }
  return result;
}

export async function deleteRedisKeys(): Promise<number> {
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
export function cleanup(): Promise<void> {
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
export async function abort(reason: string, code: number): Promise<never> {
  if (!aborting) {
    aborting = true;
    log(`aborting: ${reason}`);
    // Cleanup waits up to 10 s for answers, SERVER_STOP_TIMEOUT_MS for the servers, then a few seconds for the rest.
    const hardStop = setTimeout(() => process.exit(code), SERVER_STOP_TIMEOUT_MS + 35_000);
    hardStop.unref();
    // Let requests already sent be answered first: a server told to stop while its keep-alive
    // connections are busy keeps them open afterwards and only exits at its SHUTDOWN_TIMEOUT_MS.
    const drainUntil = Date.now() + 10_000;
    while (requests.inFlight > 0 && Date.now() < drainUntil) await sleep(50);
    if (requests.inFlight > 0) log(`${requests.inFlight} requests still unanswered; stopping the servers anyway`);
    await cleanup().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
    process.exit(code);
  }
  return new Promise<never>(() => undefined);
}

export const isAborting = () => aborting;

/** Called between phases: an aborting run goes no further (abort() does the cleanup). */
export function stopIfAborting(): void {
  if (aborting) throw new Error('aborted');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void abort(`received ${signal}`, 130));
}
export const budget = setTimeout(
  () => void abort(`time budget of ${TOTAL_BUDGET_MS / 1000} s exceeded`, 1),
  TOTAL_BUDGET_MS,
);
budget.unref();
