import { parse as parseConnectionString } from 'pg-connection-string';
import { type DatabaseConfig, SSL_MODES, type SslMode } from '../../db/config';
import type { Env } from './env';

const isSslMode = (value: string): value is SslMode => (SSL_MODES as readonly string[]).includes(value);

/**
 * The TLS mode: DB_SSL_MODE, else an sslmode in DATABASE_URL, else verify-full in production and
 * disable elsewhere. An sslmode in the URL never silently overrides DB_SSL_MODE: a disagreement is
 * a configuration error, and so is a mode we do not support (prefer/allow would fall back to
 * plain text, verify-ca skips the host name check).
 */
function sslMode(env: Env, problems: string[]): SslMode {
  const fromUrl = env.DATABASE_URL ? (new URL(env.DATABASE_URL).searchParams.get('sslmode') ?? undefined) : undefined;
  if (fromUrl !== undefined && !isSslMode(fromUrl)) {
    problems.push(`DATABASE_URL: sslmode=${fromUrl} is not supported; use DB_SSL_MODE=disable|require|verify-full`);
  }
  if (fromUrl !== undefined && env.DB_SSL_MODE && fromUrl !== env.DB_SSL_MODE) {
    problems.push(`DB_SSL_MODE: is ${env.DB_SSL_MODE} but DATABASE_URL says sslmode=${fromUrl}; remove one of them`);
  }
  const urlMode = fromUrl !== undefined && isSslMode(fromUrl) ? fromUrl : undefined;
  return env.DB_SSL_MODE ?? urlMode ?? (env.NODE_ENV === 'production' ? 'verify-full' : 'disable');
}

/** DATABASE_URL, else the DB_* parts (or a secret), else the embedded PGlite directory. */
export function databaseConfig(env: Env, problems: string[]): DatabaseConfig {
  const secretId = env.DB_SECRET_ID ?? env.AWS_SECRET_NAME;
  const pool = {
    poolMax: env.DB_POOL_MAX,
    poolMin: env.DB_POOL_MIN,
    bookingPoolMax: env.DB_BOOKING_POOL_MAX,
    // Every booking connection the instance opened stays open by default: one closed by the idle
    // timeout is reopened at the next release, when a new backend's start, login (SCRAM, TLS on RDS)
    // and first book_seat (PL/pgSQL compiled and planned per backend) land on the busiest second.
    // The budget of §3 in docs/OPERATIONS.md already counts them all.
    bookingPoolMin: env.DB_BOOKING_POOL_MIN ?? env.DB_BOOKING_POOL_MAX,
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
