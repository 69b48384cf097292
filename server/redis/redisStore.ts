import { Redis } from 'ioredis';
import { once } from 'node:events';
import type { RedisConfig } from '../config';
import type { Logger } from '../logger';
import type { KeyValueStore } from './store';

/** Reconnect forever, backing off to at most 2 s: a lost Redis must come back without a restart. */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 200, 2_000);

export function createRedisClient(cfg: RedisConfig, log: Logger): Redis {
  const client = new Redis({
    host: cfg.host,
    port: cfg.port,
    username: cfg.username,
    password: cfg.password,
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
  });
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
  return client;
}

export function createRedisStore(client: Redis, readyWaitMs: number): KeyValueStore {
  return {
    mode: 'redis',
    async ping() {
      // Just after start (or a reconnect) the connection may still be on its way: wait for it,
      // bounded, rather than report a healthy Redis as down. The signal removes the listener.
      if (client.status !== 'ready') await once(client, 'ready', { signal: AbortSignal.timeout(readyWaitMs) });
      await client.ping();
    },
    async close() {
      if (client.status === 'end') return;
      // quit() waits for replies a dead server never sends; disconnect() when not connected.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
