import type { Env } from './env';

/** No Redis configured: the embedded mode's in-process store (one instance only). */
export interface MemoryStoreConfig {
  kind: 'memory';
}

/** Where Redis is and how to talk to it (TLS, ACL user, key prefix). */
export type RedisConfig = Exclude<ReturnType<typeof redisConfig>, MemoryStoreConfig>;

/**
 * The logical database of a Redis URL: its path ("redis://host:6379/12" is db 12), undefined when the
 * path is empty or "/". Anything else in the path is not a db number: NaN, which `redisDbProblems` reports.
 */
export function redisDbOfUrl(url: URL): number | undefined {
  const path = url.pathname.replace(/^\//, '');
  if (path === '') return undefined;
  return /^\d+$/.test(path) ? Number(path) : Number.NaN;
}

/** A db number in REDIS_URL and REDIS_DB that disagree, or a path that is not a number, stops start-up. */
export function redisDbProblems(env: Env): string[] {
  if (!env.REDIS_URL) return [];
  const fromUrl = redisDbOfUrl(new URL(env.REDIS_URL));
  if (Number.isNaN(fromUrl)) return ['REDIS_URL: the path must be a database number ("redis://host:6379/2") or empty'];
  if (fromUrl !== undefined && env.REDIS_DB !== undefined && fromUrl !== env.REDIS_DB)
    return [`REDIS_DB: ${env.REDIS_DB} contradicts the database ${fromUrl} in REDIS_URL; set only one`];
  return [];
}

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
      // Every key (locks, seat counters, rate limits) lives in this db: environments sharing one
      // Redis by db number must never see each other's keys.
      db: redisDbOfUrl(url) ?? env.REDIS_DB ?? 0,
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
      db: env.REDIS_DB ?? 0,
      ...common,
    };
  }
  return { kind: 'memory' } satisfies MemoryStoreConfig;
}

/** Where the keys go, as the start-up line and doctor show it: "host:port db N". */
export function describeRedis(cfg: RedisConfig | MemoryStoreConfig): string {
  return cfg.kind === 'memory' ? 'memory' : `${cfg.host}:${cfg.port} db ${cfg.db}`;
}
