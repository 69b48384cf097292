import { once } from 'node:events';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config';
import type { Logger } from '../logger';
import type { KeyValueStore } from './store';

/** Reconnect forever, backing off to at most 2 s: a lost Redis must come back without a restart. */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 200, 2_000);

// Compare-and-delete: release the lock only while it still carries our token. Before that, set the
// integer values KEYS[2..] = ARGV[3..] expiring in ARGV[2] ms (none when only the lock is passed).
const UNLOCK_LUA = `for i = 2, #KEYS do redis.call('set', KEYS[i], ARGV[i + 1], 'PX', ARGV[2]) end
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// INCR with the window's expiry set on the first hit; returns the count and the time left.
const COUNT_HIT_LUA = `local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
return { n, redis.call('pttl', KEYS[1]) }`;

interface ScriptedRedis extends Redis {
  unlockIfOwner(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number>;
  countHit(key: string, windowMs: number): Promise<[number, number]>;
}

export function createRedisClient(cfg: RedisConfig, log: Logger): ScriptedRedis {
  const client = new Redis({
    host: cfg.host,
    port: cfg.port,
    username: cfg.username,
    password: cfg.password,
    db: cfg.db,
    tls: cfg.tls ? { servername: cfg.host } : undefined,
    keyPrefix: cfg.keyPrefix,
    connectTimeout: cfg.connectTimeoutMs,
    // Shows which service and process a connection belongs to in CLIENT LIST.
    connectionName: `mocks-booking:${process.pid}`,
    // Fail commands at once while disconnected instead of queueing them: callers degrade to
    // Postgres-only behaviour, and nothing (health checks included) hangs on a dead Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelayMs,
    // Commands issued in the same tick leave in one write: under a stampede hundreds of requests
    // each send a command per step, and one syscall per command was a tenth of the process's CPU.
    enableAutoPipelining: true,
  });
  // defineCommand (EVALSHA with EVAL fallback) applies keyPrefix to KEYS like any other command.
  // The number of keys comes with each call (the lock plus what to set with its release).
  client.defineCommand('unlockIfOwner', { lua: UNLOCK_LUA });
  client.defineCommand('countHit', { numberOfKeys: 1, lua: COUNT_HIT_LUA });
  let reported = false;
  client.on('error', (err: Error) => {
    // ioredis emits an error per reconnect attempt; log the first of each outage only.
    if (!reported) log.warn({ err: err.message }, 'redis: unavailable, retrying in the background');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) log.info('redis: connection restored');
    reported = false;
  });
  return client as ScriptedRedis;
}

export function createRedisStore(client: ScriptedRedis, readyWaitMs: number): KeyValueStore {
  return {
    mode: 'redis',
    async ping() {
      // Just after start (or a reconnect) the connection may still be on its way: wait for it,
      // bounded, rather than report a healthy Redis as down. The signal removes the listener.
      if (client.status !== 'ready') await once(client, 'ready', { signal: AbortSignal.timeout(readyWaitMs) });
      await client.ping();
    },
    async tryLock(key, token, ttlMs) {
      return (await client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async unlock(key, token, andSet) {
      const entries = andSet?.entries ?? [];
      const keys = [key, ...entries.map(([k]) => k)];
      const args = [token, andSet?.ttlMs ?? 0, ...entries.map(([, value]) => value)];
      return (await client.unlockIfOwner(keys.length, ...keys, ...args)) === 1;
    },
    async getNumbers(keys) {
      if (keys.length === 0) return [];
      const values = await client.mget(...keys);
      return values.map((v) => (v === null ? null : Number(v)));
    },
    async setNumbers(entries, ttlMs) {
      if (entries.length === 0) return;
      const pipeline = client.multi();
      for (const [key, value] of entries) pipeline.set(key, String(value), 'PX', ttlMs);
      await pipeline.exec();
    },
    async countHit(key, windowMs) {
      const [count, ttl] = await client.countHit(key, windowMs);
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    },
    async close() {
      if (client.status === 'end') return;
      // quit() waits for replies a dead server never sends; disconnect() when not connected.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
