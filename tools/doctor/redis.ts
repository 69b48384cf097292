import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MemoryStoreConfig, RedisConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createRedisClient } from '../../server/redis/redisStore';
import { CheckFailure, type Outcome } from './check';

/**
 * PING plus a SET/GET/DEL round trip on a key under REDIS_KEY_PREFIX, through the service's own
 * client factory (same TLS, ACL user, prefix and timeouts), so a read replica, a missing ACL
 * permission or a wrong prefix shows up here rather than under load.
 */
export async function checkRedis(cfg: RedisConfig | MemoryStoreConfig): Promise<Outcome> {
  if (cfg.kind === 'memory') {
    return {
      detail: 'in-process store (no REDIS_URL/REDIS_HOST): embedded single-instance mode',
      warning: {
        cause: 'Locks, seat counters and rate limits live inside one process: correct for a single instance only.',
        fix: 'Set REDIS_URL (or REDIS_HOST) before running more than one instance; NODE_ENV=production requires it.',
      },
    };
  }
  const client = createRedisClient(cfg, createLogger('silent'));
  try {
    // The first error of the first attempt says why (ECONNREFUSED, WRONGPASS, ETIMEDOUT…); the
    // client would otherwise keep retrying in the background.
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
    });
    await client.ping();
    const key = `doctor:${hostname()}:${process.pid}:${randomUUID()}`;
    const token = randomUUID();
    await client.set(key, token, 'PX', 60_000);
    const readBack = await client.get(key);
    const deleted = await client.del(key);
    if (readBack !== token || deleted !== 1)
      throw new CheckFailure(
        'REDIS_ROUND_TRIP',
        `SET/GET/DEL on "${cfg.keyPrefix}${key}" read back ${JSON.stringify(readBack)} and deleted ${deleted}`,
      );
    const version = /redis_version:(\S+)/.exec(await client.info('server').catch(() => ''))?.[1];
    const where = `${cfg.host}:${cfg.port} db ${cfg.db}${version ? ` (Redis ${version})` : ''}, ${cfg.tls ? 'TLS' : 'no TLS'}${cfg.username ? `, user "${cfg.username}"` : ''}`;
    return { detail: `${where}, PING + SET/GET/DEL on "${cfg.keyPrefix}doctor:…"` };
  } finally {
    client.disconnect();
  }
}
