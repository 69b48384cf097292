import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parse as parseConnectionString } from 'pg-connection-string';
import { z } from 'zod';
import type { PgliteConfig, PostgresConfig, SslMode } from '../db/config';

/**
 * Configuration is read from the environment once, at start, and validated here; everything else
 * receives the typed result. A bad value stops start-up with a message naming the variable.
 */

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const flag = (fallback: boolean) => z.stringbool().default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRONTEND_URL: z.string().default('http://localhost:5173'),
  TRUST_PROXY: z.string().default('false'),

  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DB_HOST: optionalText,
  DB_PORT: port(5432),
  DB_NAME: z.string().default('postgres'),
  DB_USER: z.string().default('postgres'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_MAX: count(10, 1),
  DB_POOL_MIN: count(0),
  DB_BOOKING_POOL_MAX: count(10, 1),
  DB_IDLE_TIMEOUT_MS: positiveMs(30_000),
  DB_CONNECT_TIMEOUT_MS: positiveMs(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveMs(15_000),
  DB_MIGRATE_ON_START: flag(true),
  DB_SSL_MODE: z.enum(['disable', 'require', 'verify-full']).optional(),
  DB_SSL_CA: optionalText,
  DB_SECRET_ID: optionalText,
  AWS_SECRET_NAME: optionalText,
  DB_IAM_AUTH: flag(false),
  AWS_REGION: optionalText,
  AWS_DEFAULT_REGION: optionalText,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: optionalText.pipe(z.url().optional()),
  REDIS_SECRET_ID: optionalText,
  SESSION_SECRET_ID: optionalText,
  PGLITE_DATA_DIR: z.string().min(1).default('.data/pglite'),

  REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  REDIS_HOST: optionalText,
  REDIS_PORT: port(6379),
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_TLS: flag(false),
  REDIS_KEY_PREFIX: z.string().default(''),
  REDIS_CONNECT_TIMEOUT_MS: positiveMs(5_000),

  HEALTH_TIMEOUT_MS: positiveMs(2_000),
  SHUTDOWN_DRAIN_DELAY_MS: count(5_000),
  SHUTDOWN_TIMEOUT_MS: positiveMs(30_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveMs(65_000),
  TRPC_MAX_BODY_BYTES: positiveMs(100_000),
  TRPC_MAX_BATCH_SIZE: count(10, 1),

  SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  SESSION_COOKIE_NAME: z
    .string()
    .regex(/^[\w-]+$/)
    .default('mb_session'),
  SESSION_COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none']).default('lax'),
  LOGIN_RATE_LIMIT_PER_IP: count(30, 1),
  LOGIN_RATE_LIMIT_PER_STUDENT: count(10, 1),
  BOOKING_LOCK_TTL_MS: positiveMs(10_000),
  BOOKING_LOCK_WAIT_MS: positiveMs(10_000),
  CANCELLATION_CUTOFF_HOURS: z.coerce.number().min(0).default(0),
  SEAT_COUNTER_TTL_MS: positiveMs(60_000),
});

export type Env = z.input<typeof envSchema>;

export type { PgliteConfig, PostgresConfig, SslMode };

export interface RedisConfig {
  kind: 'redis';
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  keyPrefix: string;
  connectTimeoutMs: number;
  /** Secrets Manager secret with the AUTH password (and optionally host/port/username). */
  secretId: string | undefined;
}

export interface MemoryStoreConfig {
  kind: 'memory';
}

export interface Config {
  env: 'development' | 'test' | 'production';
  version: string;
  port: number;
  host: string;
  logLevel: string;
  frontendOrigins: string[];
  trustProxy: boolean | number | string;
  database: PostgresConfig | PgliteConfig;
  migrateOnStart: boolean;
  redis: RedisConfig | MemoryStoreConfig;
  healthTimeoutMs: number;
  shutdown: { drainDelayMs: number; timeoutMs: number };
  keepAliveTimeoutMs: number;
  trpc: { maxBodyBytes: number; maxBatchSize: number };
  session: {
    /** HMAC key of session tokens; random per process when unset outside production. */
    secret: string;
    secretIsEphemeral: boolean;
    /** Secrets Manager secret holding the session secret; replaces `secret` at start. */
    secretId: string | undefined;
    ttlMs: number;
    cookieName: string;
    cookieSameSite: 'lax' | 'strict' | 'none';
    cookieSecure: boolean;
  };
  loginRateLimit: { perIpPerMinute: number; perStudentPerMinute: number };
  booking: { lockTtlMs: number; lockWaitMs: number; cancellationCutoffMs: number; seatCounterTtlMs: number };
  aws: { region: string | undefined; secretsManagerEndpoint: string | undefined };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type ParsedEnv = z.output<typeof envSchema>;

/**
 * The TLS mode: DB_SSL_MODE, else an sslmode in DATABASE_URL, else verify-full in production and
 * disable elsewhere. An sslmode in the URL never silently overrides DB_SSL_MODE: a disagreement is
 * a configuration error, and so is a mode we do not support (prefer/allow would fall back to
 * plain text, verify-ca skips the host name check).
 */
function sslMode(env: ParsedEnv, problems: string[]): SslMode {
  const fromUrl = env.DATABASE_URL ? (new URL(env.DATABASE_URL).searchParams.get('sslmode') ?? undefined) : undefined;
  if (fromUrl !== undefined && !['disable', 'require', 'verify-full'].includes(fromUrl)) {
    problems.push(`DATABASE_URL: sslmode=${fromUrl} is not supported; use DB_SSL_MODE=disable|require|verify-full`);
  }
  if (fromUrl !== undefined && env.DB_SSL_MODE && fromUrl !== env.DB_SSL_MODE) {
    problems.push(`DB_SSL_MODE: is ${env.DB_SSL_MODE} but DATABASE_URL says sslmode=${fromUrl}; remove one of them`);
  }
  return (
    env.DB_SSL_MODE ?? (fromUrl as SslMode | undefined) ?? (env.NODE_ENV === 'production' ? 'verify-full' : 'disable')
  );
}

function databaseConfig(env: ParsedEnv, problems: string[]): PostgresConfig | PgliteConfig {
  const secretId = env.DB_SECRET_ID ?? env.AWS_SECRET_NAME;
  const pool = {
    poolMax: env.DB_POOL_MAX,
    poolMin: env.DB_POOL_MIN,
    bookingPoolMax: env.DB_BOOKING_POOL_MAX,
    idleTimeoutMs: env.DB_IDLE_TIMEOUT_MS,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    ssl: { mode: sslMode(env, problems), caPath: env.DB_SSL_CA },
    secretId,
    iamAuth: env.DB_IAM_AUTH,
  };
  if (env.DATABASE_URL) {
    // Split the URL into fields once, so the password reaches pg as a value and never again as text.
    const parts = parseConnectionString(env.DATABASE_URL);
    return {
      kind: 'postgres',
      host: parts.host ?? '127.0.0.1',
      port: parts.port ? Number(parts.port) : 5432,
      database: parts.database ?? 'postgres',
      user: parts.user ?? 'postgres',
      password: parts.password,
      ...pool,
    };
  }
  if (env.DB_HOST || secretId) {
    return {
      kind: 'postgres',
      host: env.DB_HOST ?? '',
      port: env.DB_PORT,
      database: env.DB_NAME,
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      ...pool,
    };
  }
  return { kind: 'pglite', dataDir: env.PGLITE_DATA_DIR };
}

function redisConfig(env: ParsedEnv): RedisConfig | MemoryStoreConfig {
  const common = {
    keyPrefix: env.REDIS_KEY_PREFIX,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    secretId: env.REDIS_SECRET_ID,
  };
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    return {
      kind: 'redis',
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
      kind: 'redis',
      host: env.REDIS_HOST,
      port: env.REDIS_PORT,
      username: env.REDIS_USERNAME,
      password: env.REDIS_PASSWORD,
      tls: env.REDIS_TLS,
      ...common,
    };
  }
  return { kind: 'memory' };
}

/** Express's `trust proxy`: "true"/"false", a hop count ("1" behind one ALB), or a subnet list. */
function trustProxySetting(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** What an error message may show of a value: never a password, not even inside a URL. */
function redacted(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN/.test(name)) return '***';
  return value.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

export function loadConfig(rawEnv: Record<string, string | undefined> = process.env, version = '0.0.0'): Config {
  const result = envSchema.safeParse(rawEnv);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const value = rawEnv[name];
        const shown = value === undefined ? '' : ` (got ${JSON.stringify(redacted(name, value))})`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = result.data;
  const problems: string[] = [];
  const database = databaseConfig(env, problems);
  const redis = redisConfig(env);
  if (env.NODE_ENV === 'production') {
    // Production must never silently run on a private embedded database or per-instance locks.
    if (database.kind === 'pglite') problems.push('DATABASE_URL: required when NODE_ENV=production (or set DB_HOST)');
    if (redis.kind === 'memory') problems.push('REDIS_URL: required when NODE_ENV=production (or set REDIS_HOST)');
  }
  if (env.NODE_ENV === 'production' && !env.SESSION_SECRET && !env.SESSION_SECRET_ID) {
    // Several instances must verify each other's tokens, and a restart must not log everyone out.
    problems.push(
      'SESSION_SECRET: required when NODE_ENV=production (32+ random characters, the same on every instance), or SESSION_SECRET_ID',
    );
  }
  if (env.SESSION_COOKIE_SAMESITE === 'none' && env.NODE_ENV !== 'production') {
    problems.push('SESSION_COOKIE_SAMESITE: "none" needs a Secure cookie, which is only set in production');
  }
  if (database.kind === 'postgres') {
    if (database.ssl.caPath && !existsSync(database.ssl.caPath))
      problems.push(`DB_SSL_CA: no such file: ${database.ssl.caPath}`);
    if (database.ssl.caPath && database.ssl.mode !== 'verify-full')
      problems.push('DB_SSL_CA: only used with DB_SSL_MODE=verify-full');
    if (database.iamAuth && database.ssl.mode === 'disable')
      problems.push('DB_IAM_AUTH: RDS IAM authentication requires TLS (DB_SSL_MODE=verify-full)');
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const usesAws =
    (database.kind === 'postgres' && (database.secretId || database.iamAuth)) ||
    env.REDIS_SECRET_ID ||
    env.SESSION_SECRET_ID;
  if (usesAws && !region)
    problems.push('AWS_REGION: required when secrets come from Secrets Manager or DB_IAM_AUTH is on');
  if (env.REDIS_SECRET_ID && redis.kind === 'memory')
    problems.push('REDIS_SECRET_ID: set REDIS_HOST (or REDIS_URL) too; the secret supplies the password');
  if (env.DB_POOL_MIN > env.DB_POOL_MAX) problems.push(`DB_POOL_MIN: must not exceed DB_POOL_MAX (${env.DB_POOL_MAX})`);
  if (env.KEEP_ALIVE_TIMEOUT_MS <= 60_000) {
    problems.push('KEEP_ALIVE_TIMEOUT_MS: must exceed the ALB idle timeout of 60000 ms, or the ALB sees 502s');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    version,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    frontendOrigins: env.FRONTEND_URL.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    database,
    migrateOnStart: env.DB_MIGRATE_ON_START,
    redis,
    healthTimeoutMs: env.HEALTH_TIMEOUT_MS,
    shutdown: { drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    trpc: { maxBodyBytes: env.TRPC_MAX_BODY_BYTES, maxBatchSize: env.TRPC_MAX_BATCH_SIZE },
    session: {
      secret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretIsEphemeral: !env.SESSION_SECRET && !env.SESSION_SECRET_ID,
      secretId: env.SESSION_SECRET_ID,
      ttlMs: env.SESSION_TTL_HOURS * 3_600_000,
      cookieName: env.SESSION_COOKIE_NAME,
      cookieSameSite: env.SESSION_COOKIE_SAMESITE,
      cookieSecure: env.NODE_ENV === 'production',
    },
    loginRateLimit: {
      perIpPerMinute: env.LOGIN_RATE_LIMIT_PER_IP,
      perStudentPerMinute: env.LOGIN_RATE_LIMIT_PER_STUDENT,
    },
    booking: {
      lockTtlMs: env.BOOKING_LOCK_TTL_MS,
      lockWaitMs: env.BOOKING_LOCK_WAIT_MS,
      cancellationCutoffMs: env.CANCELLATION_CUTOFF_HOURS * 3_600_000,
      seatCounterTtlMs: env.SEAT_COUNTER_TTL_MS,
    },
    aws: { region, secretsManagerEndpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER },
  };
}
