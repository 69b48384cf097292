import { randomBytes } from 'node:crypto';
import type { DatabaseConfig, PgliteConfig, PostgresConfig, SslMode } from '../../db/config';
import { redactUrlPasswords } from '../lib/redact';
import { adminConfig } from './admin';
import { databaseConfig } from './database';
import { type Env, envSchema } from './env';
import { type MemoryStoreConfig, type RedisConfig, redisConfig, redisDbProblems } from './redis';
import {
  awsRegionWhenAwsIsUsed,
  databaseTlsIsCoherent,
  headersBeforeRequestTimeout,
  jsonLogsInProduction,
  keepAliveOutlastsAlb,
  poolMinWithinMax,
  realServicesInProduction,
  redisSecretHasAHost,
  sameSiteNoneNeedsSecureCookie,
  sessionSecretInProduction,
  trustProxyIsBounded,
} from './rules';
import { trustedProxyList } from './trustProxy';

/**
 * Configuration is read from the environment once, at start, and validated here; everything else
 * receives the typed result. A bad value stops start-up with a message naming the variable.
 */

export type { MemoryStoreConfig, RedisConfig } from './redis';
export { describeRedis } from './redis';
export type { PgliteConfig, PostgresConfig, SslMode };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Express's `trust proxy`, as a hop count ("1" behind one ALB) or a list of proxy addresses/subnets
 * (`10.0.0.0/16, loopback`). "true" (trust every hop) lets a client rotate X-Forwarded-For and be a new
 * IP to every rate limit: refused in production (rules.ts), allowed elsewhere for local set-ups.
 */
function trustProxySetting(raw: string): boolean | number | string[] {
  if (raw === 'true') return true;
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return trustedProxyList(raw);
}
/** What an error message may show of a value: never a password, not even inside a URL. */
const shownValue = (name: string, value: string) =>
  /PASSWORD|SECRET|TOKEN/.test(name) ? '***' : redactUrlPasswords(value);

/** The configuration the service runs with, by concern; its type is what this returns. */
function configFrom(
  env: Env,
  version: string,
  parts: {
    database: DatabaseConfig;
    redis: RedisConfig | MemoryStoreConfig;
    region: string | undefined;
    admin: ReturnType<typeof adminConfig>;
  },
) {
  return {
    env: env.NODE_ENV,
    version,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    frontendOrigins: env.FRONTEND_URL.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    database: parts.database,
    migrateOnStart: env.DB_MIGRATE_ON_START,
    redis: parts.redis,
    healthTimeoutMs: env.HEALTH_TIMEOUT_MS,
    shutdown: { drainDelayMs: env.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    /** Node's http.Server limits (docs/OPERATIONS.md §4 "Slow clients"). */
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    trpc: {
      maxBodyBytes: env.TRPC_MAX_BODY_BYTES,
      maxBatchSize: env.TRPC_MAX_BATCH_SIZE,
      laneMaxActiveCalls: env.LANE_MAX_ACTIVE_CALLS,
    },
    session: {
      /** HMAC key of session tokens; random per process when unset outside production. */
      secret: env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretIsEphemeral: !env.SESSION_SECRET && !env.SESSION_SECRET_ID,
      /** Secrets Manager secret holding the session secret; replaces `secret` at start. */
      secretId: env.SESSION_SECRET_ID,
      ttlMs: env.SESSION_TTL_HOURS * 3_600_000,
      cookieName: env.SESSION_COOKIE_NAME,
      cookieSameSite: env.SESSION_COOKIE_SAMESITE,
      cookieSecure: env.NODE_ENV === 'production',
    },
    loginRateLimit: {
      perIpPerMinute: env.LOGIN_RATE_LIMIT_PER_IP,
      /** Failures for one student ID from one source. */
      perStudentPerMinute: env.LOGIN_RATE_LIMIT_PER_STUDENT,
      /** Failures for one student ID from every source together. */
      perStudentAllSourcesPerMinute: env.LOGIN_RATE_LIMIT_PER_STUDENT_ALL_SOURCES,
    },
    bookingRateLimit: { perStudentPerMinute: env.BOOKING_RATE_LIMIT_PER_STUDENT },
    booking: {
      lockTtlMs: env.BOOKING_LOCK_TTL_MS,
      lockWaitMs: env.BOOKING_LOCK_WAIT_MS,
      cancellationCutoffMs: env.CANCELLATION_CUTOFF_HOURS * 3_600_000,
      seatCounterTtlMs: env.SEAT_COUNTER_TTL_MS,
      bookingCutoffMs: env.BOOKING_CUTOFF_HOURS * 3_600_000,
      attendingLocations: env.ATTENDING_LOCATIONS,
      waitlistHoldMs: env.WAITLIST_HOLD_MINUTES * 60_000,
    },
    aws: { region: parts.region, secretsManagerEndpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER },
    admin: parts.admin,
    /** Prometheus `/metrics` on a listener of its own, never behind the ALB (docs/OPERATIONS.md §9). */
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST ?? env.HOST },
    jobs: {
      enabled: env.JOBS_ENABLED,
      pushIntervalMs: env.JOBS_PUSH_INTERVAL_MS,
      /** A job whose instance died mid-job is retried once this has passed since it started. */
      expireSeconds: env.JOBS_EXPIRE_SECONDS,
      maintenanceIntervalSeconds: env.JOBS_MAINTENANCE_INTERVAL_SECONDS,
      retryLimit: env.JOBS_RETRY_LIMIT,
      cronMonitorIntervalSeconds: env.JOBS_CRON_MONITOR_INTERVAL_SECONDS,
    },
    hubspot: {
      /** Sync with HubSpot is off unless a token (or the secret holding one) is configured. */
      enabled: Boolean(env.HUBSPOT_TOKEN || env.HUBSPOT_TOKEN_SECRET_ID),
      token: env.HUBSPOT_TOKEN,
      tokenSecretId: env.HUBSPOT_TOKEN_SECRET_ID,
      baseUrl: env.HUBSPOT_API_BASE_URL.replace(/\/+$/, ''),
      bookingKeyProperty: env.HUBSPOT_BOOKING_KEY_PROPERTY,
      examKeyProperty: env.HUBSPOT_EXAM_KEY_PROPERTY,
      objects: {
        mockExams: env.HUBSPOT_OBJECT_MOCK_EXAMS,
        bookings: env.HUBSPOT_OBJECT_BOOKINGS,
        contacts: env.HUBSPOT_OBJECT_CONTACTS,
      },
      prerequisiteAssociationTypeId: env.HUBSPOT_ASSOCIATION_PREREQUISITE,
      /** Attempts per outbox row before it is set aside as a dead letter. */
      maxAttempts: env.HUBSPOT_MAX_ATTEMPTS,
      pullOverlapSeconds: env.HUBSPOT_PULL_OVERLAP_SECONDS,
      loginMissTtlSeconds: env.HUBSPOT_LOGIN_MISS_TTL_SECONDS,
      limits: {
        callsPer10s: env.HUBSPOT_CALLS_PER_10S,
        searchesPerSecond: env.HUBSPOT_SEARCHES_PER_SECOND,
        dailyQuota: env.HUBSPOT_DAILY_QUOTA,
        dailyReserve: env.HUBSPOT_DAILY_QUOTA_RESERVE,
      },
    },
  };
}

export type Config = ReturnType<typeof configFrom>;

export function loadConfig(rawEnv: Record<string, string | undefined> = process.env, version = '0.0.0'): Config {
  const result = envSchema.safeParse(rawEnv);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const value = rawEnv[name];
        const shown = value === undefined ? '' : ` (got ${JSON.stringify(shownValue(name, value))})`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = result.data;
  const problems: string[] = [];
  const database = databaseConfig(env, problems);
  const redis = redisConfig(env);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const admin = adminConfig(env, problems);
  problems.push(
    ...realServicesInProduction(env, database, redis),
    ...sessionSecretInProduction(env),
    ...sameSiteNoneNeedsSecureCookie(env),
    ...databaseTlsIsCoherent(database),
    ...awsRegionWhenAwsIsUsed(env, database, region),
    ...redisSecretHasAHost(env, redis),
    ...redisDbProblems(env),
    ...poolMinWithinMax(env),
    ...keepAliveOutlastsAlb(env),
    ...headersBeforeRequestTimeout(env),
    ...jsonLogsInProduction(env),
    ...trustProxyIsBounded(env),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return configFrom(env, version, { database, redis, region, admin });
}
