import type { Env } from './env';

/** No Redis configured: the embedded mode's in-process store (one instance only). */
export interface MemoryStoreConfig {
  kind: 'memory';
}

/** Where Redis is and how to talk to it (TLS, ACL user, key prefix). */
export type RedisConfig = Exclude<ReturnType<typeof redisConfig>, MemoryStoreConfig>;

/** REDIS_URL, else the REDIS_* parts, else the in-process store. */
export function redisConfig(env: Env) {
  const common = {
    keyPrefix: env.REDIS_KEY_PREFIX,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    /** Secrets Manager secret with the AUTH password (and optionally host/port/username). */
    secretId: env.REDIS_SECRET_ID,
  };
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    return {
      kind: 'redis' as const,
      host: url.hostname,
      port: url.port ? Number(url.port) : 6379,
      // Like the password, the ACL user may come from its own variable (ElastiCache RBAC + REDIS_URL).
      username: url.username ? decodeURIComponent(url.username) : env.REDIS_USERNAME,
      password: url.password ? decodeURIComponent(url.password) : env.REDIS_PASSWORD,
      tls: url.protocol === 'rediss:' || env.REDIS_TLS,
      ...common,
    };
  }
  if (env.REDIS_HOST) {
    return {
      kind: 'redis' as const,
      host: env.REDIS_HOST,
      port: env.REDIS_PORT,
      username: env.REDIS_USERNAME,
      password: env.REDIS_PASSWORD,
      tls: env.REDIS_TLS,
      ...common,
    };
  }
  return { kind: 'memory' } satisfies MemoryStoreConfig;
}
