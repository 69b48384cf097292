import { z } from 'zod';
import { SSL_MODES } from '../../db/config';

/** Field builders named for what they accept. Every numeric setting arrives as text and is coerced. */
const tcpPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const intAtLeast = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
/** Unset and blank mean the same: an empty variable in a deployment template is "not set". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));
const flag = (fallback: boolean) => z.stringbool().default(fallback);

/** Every environment variable the service reads, with its rule and default (README "Configuration"). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: tcpPort(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRONTEND_URL: z.string().default('http://localhost:5173'),
  TRUST_PROXY: z.string().default('false'),

  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DB_HOST: optionalText,
  DB_PORT: tcpPort(5432),
  DB_NAME: z.string().default('postgres'),
  DB_USER: z.string().default('postgres'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_MAX: intAtLeast(1, 10),
  DB_POOL_MIN: intAtLeast(0, 0),
  DB_BOOKING_POOL_MAX: intAtLeast(1, 10),
  /** Unset: DB_BOOKING_POOL_MAX (server/config/database.ts says why). */
  DB_BOOKING_POOL_MIN: optionalText.pipe(z.coerce.number<string | undefined>().int().min(0).optional()),
  DB_IDLE_TIMEOUT_MS: positiveInt(30_000),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt(15_000),
  DB_MIGRATE_ON_START: flag(true),
  DB_SSL_MODE: z.enum(SSL_MODES).optional(),
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
  REDIS_PORT: tcpPort(6379),
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_TLS: flag(false),
  REDIS_KEY_PREFIX: z.string().default(''),
  REDIS_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  /** Redis logical database (SELECT n); a db number in REDIS_URL's path ("/12") means the same. */
  REDIS_DB: optionalText.pipe(z.coerce.number<string | undefined>().int().min(0).optional()),

  HEALTH_TIMEOUT_MS: positiveInt(2_000),
  SHUTDOWN_DRAIN_DELAY_MS: intAtLeast(0, 5_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt(30_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt(65_000),
  TRPC_MAX_BODY_BYTES: positiveInt(100_000),
  TRPC_MAX_BATCH_SIZE: intAtLeast(1, 10),
  LANE_MAX_ACTIVE_CALLS: positiveInt(128),

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
  LOGIN_RATE_LIMIT_PER_IP: intAtLeast(1, 30),
  LOGIN_RATE_LIMIT_PER_STUDENT: intAtLeast(1, 10),
  BOOKING_LOCK_TTL_MS: positiveInt(10_000),
  BOOKING_LOCK_WAIT_MS: positiveInt(10_000),
  CANCELLATION_CUTOFF_HOURS: z.coerce.number().min(0).default(0),
  SEAT_COUNTER_TTL_MS: positiveInt(60_000),
  /** Failed logins for one student ID from all sources together, per minute (the global cap). */
  LOGIN_RATE_LIMIT_PER_STUDENT_ALL_SOURCES: intAtLeast(1, 50),
  BOOKING_RATE_LIMIT_PER_STUDENT: intAtLeast(1, 30),

  // Admin sign-in through the school's OIDC provider (README "Admin API").
  ADMIN_OIDC_ISSUER: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ADMIN_OIDC_AUDIENCE: optionalText,
  ADMIN_OIDC_JWKS_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ADMIN_OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  ADMIN_OIDC_KEY_REFRESH_COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  ADMIN_ROLE_CLAIM: optionalText,
  ADMIN_ROLE_MAP: optionalText,
  /** The development issuer's key (npm run admin:token); used only with no ADMIN_OIDC_ISSUER, never in production. */
  ADMIN_DEV_KEY_FILE: z.string().min(1).default('.data/admin-dev-key.json'),

  METRICS_PORT: tcpPort(9464),
  METRICS_HOST: optionalText,

  // Background jobs and the HubSpot sync (docs/SYNC.md).
  JOBS_ENABLED: flag(true),
  JOBS_PUSH_INTERVAL_MS: intAtLeast(500, 1_000),
  JOBS_EXPIRE_SECONDS: intAtLeast(10, 120),
  JOBS_MAINTENANCE_INTERVAL_SECONDS: positiveInt(30),
  JOBS_RETRY_LIMIT: intAtLeast(0, 8),
  JOBS_CRON_MONITOR_INTERVAL_SECONDS: positiveInt(30),
  HUBSPOT_TOKEN: optionalText,
  HUBSPOT_TOKEN_SECRET_ID: optionalText,
  HUBSPOT_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.hubapi.com'),
  HUBSPOT_BOOKING_KEY_PROPERTY: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'a HubSpot internal property name (lower case, digits, _)')
    .default('mocks_booking_uuid'),
  /** The unique mock-exam property holding the local id (`mb-<uuid>`) of a session created here. */
  HUBSPOT_EXAM_KEY_PROPERTY: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'a HubSpot internal property name (lower case, digits, _)')
    .default('mocks_booking_exam_id'),
  HUBSPOT_OBJECT_MOCK_EXAMS: z.string().min(1).default('2-50158913'),
  HUBSPOT_OBJECT_BOOKINGS: z.string().min(1).default('2-50158943'),
  HUBSPOT_OBJECT_CONTACTS: z.string().min(1).default('0-1'),
  HUBSPOT_ASSOCIATION_PREREQUISITE: positiveInt(1340),
  HUBSPOT_MAX_ATTEMPTS: positiveInt(10),
  /** Seconds each incremental pull reads again before its cursor (HubSpot's search index trails writes). */
  HUBSPOT_PULL_OVERLAP_SECONDS: intAtLeast(0, 60),
  /** A login of a student HubSpot does not have is not looked up again for this long. */
  HUBSPOT_LOGIN_MISS_TTL_SECONDS: positiveInt(60),
  /** HubSpot's per-app burst limit (100 per 10 s on Free/Starter, 190 on Professional/Enterprise). */
  HUBSPOT_CALLS_PER_10S: positiveInt(100),
  /** HubSpot's CRM search limit per app. */
  HUBSPOT_SEARCHES_PER_SECOND: positiveInt(4),
  /** The account's daily HubSpot call quota (250,000 on Free/Starter private apps). */
  HUBSPOT_DAILY_QUOTA: positiveInt(250_000),
  /** Sync calls stop while fewer than this many of the day's calls are left. */
  HUBSPOT_DAILY_QUOTA_RESERVE: intAtLeast(0, 25_000),
  /** No booking later than this many hours before the session starts ("until the day before"). */
  BOOKING_CUTOFF_HOURS: z.coerce.number().min(0).default(24),
  /** How long a seat offered to a waitlisted student is held for them to claim (waitlist.claim). */
  WAITLIST_HOLD_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(30),
  /** Where a Situational Judgment or Mini-mock student may sit the exam (comma list). */
  ATTENDING_LOCATIONS: z
    .string()
    .default('Mississauga,Calgary,Vancouver,Montreal,Richmond Hill')
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.string().max(100)).min(1, 'must list at least one location')),

  // Slow clients: behind the ALB a request arrives in milliseconds; a socket trickling its headers
  // or body is an attack or a broken client, and each one held costs a socket and memory.
  HTTP_HEADERS_TIMEOUT_MS: positiveInt(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  HTTP_MAX_CONNECTIONS: positiveInt(2_048),
  /** `auto`: readable (pino-pretty) in development on a terminal, JSON everywhere else. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

/** The environment after validation: typed, defaulted, blanks turned into undefined. */
export type Env = z.output<typeof envSchema>;
