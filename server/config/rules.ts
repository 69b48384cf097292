import { existsSync } from 'node:fs';
import type { DatabaseConfig } from '../../db/config';
import type { Env } from './env';
import type { MemoryStoreConfig, RedisConfig } from './redis';
import { proxyListProblems } from './trustProxy';

/**
 * Rules that involve more than one variable, each named for what it checks. Each returns its
 * problems as "VARIABLE: what is wrong" lines; an empty list means the rule holds.
 */

/** Production never silently runs on a private embedded database or per-instance locks. */
export function realServicesInProduction(env: Env, database: DatabaseConfig, redis: RedisConfig | MemoryStoreConfig) {
  if (env.NODE_ENV !== 'production') return [];
  return [
    ...(database.kind === 'pglite' ? ['DATABASE_URL: required when NODE_ENV=production (or set DB_HOST)'] : []),
    ...(redis.kind === 'memory' ? ['REDIS_URL: required when NODE_ENV=production (or set REDIS_HOST)'] : []),
  ];
}

/** Several instances must verify each other's tokens, and a restart must not log everyone out. */
export function sessionSecretInProduction(env: Env) {
  if (env.NODE_ENV !== 'production' || env.SESSION_SECRET || env.SESSION_SECRET_ID) return [];
  return [
    'SESSION_SECRET: required when NODE_ENV=production (32+ random characters, the same on every instance), or SESSION_SECRET_ID',
  ];
}

/** SameSite=None is only accepted by browsers on a Secure cookie, which is set in production only. */
export function sameSiteNoneNeedsSecureCookie(env: Env) {
  if (env.SESSION_COOKIE_SAMESITE !== 'none' || env.NODE_ENV === 'production') return [];
  return ['SESSION_COOKIE_SAMESITE: "none" needs a Secure cookie, which is only set in production'];
}

/** The CA bundle exists and is used, and IAM authentication travels over TLS. */
export function databaseTlsIsCoherent(database: DatabaseConfig) {
  if (database.kind !== 'postgres') return [];
  const { ssl, iamAuth } = database;
  return [
    ...(ssl.caPath && !existsSync(ssl.caPath) ? [`DB_SSL_CA: no such file: ${ssl.caPath}`] : []),
    ...(ssl.caPath && ssl.mode !== 'verify-full' ? ['DB_SSL_CA: only used with DB_SSL_MODE=verify-full'] : []),
    ...(iamAuth && ssl.mode === 'disable'
      ? ['DB_IAM_AUTH: RDS IAM authentication requires TLS (DB_SSL_MODE=verify-full)']
      : []),
  ];
}

/** Secrets Manager and RDS IAM need to know their region. */
export function awsRegionWhenAwsIsUsed(env: Env, database: DatabaseConfig, region: string | undefined) {
  const usesAws =
    (database.kind === 'postgres' && (database.secretId || database.iamAuth)) ||
    env.REDIS_SECRET_ID ||
    env.SESSION_SECRET_ID;
  return usesAws && !region ? ['AWS_REGION: required when secrets come from Secrets Manager or DB_IAM_AUTH is on'] : [];
}

/** The Redis secret only supplies a password: where Redis is must still be configured. */
export function redisSecretHasAHost(env: Env, redis: RedisConfig | MemoryStoreConfig) {
  return env.REDIS_SECRET_ID && redis.kind === 'memory'
    ? ['REDIS_SECRET_ID: set REDIS_HOST (or REDIS_URL) too; the secret supplies the password']
    : [];
}

export function poolMinWithinMax(env: Env) {
  return [
    ...(env.DB_POOL_MIN > env.DB_POOL_MAX ? [`DB_POOL_MIN: must not exceed DB_POOL_MAX (${env.DB_POOL_MAX})`] : []),
    ...(env.DB_BOOKING_POOL_MIN !== undefined && env.DB_BOOKING_POOL_MIN > env.DB_BOOKING_POOL_MAX
      ? [`DB_BOOKING_POOL_MIN: must not exceed DB_BOOKING_POOL_MAX (${env.DB_BOOKING_POOL_MAX})`]
      : []),
  ];
}

/** The ALB, not us, must close idle connections, or it sees 502s. */
export function keepAliveOutlastsAlb(env: Env) {
  return env.KEEP_ALIVE_TIMEOUT_MS <= 60_000
    ? ['KEEP_ALIVE_TIMEOUT_MS: must exceed the ALB idle timeout of 60000 ms, or the ALB sees 502s']
    : [];
}

/**
 * Behind the ALB the client is one hop away (`1`) or the proxies are named by subnet; `true` trusts
 * every X-Forwarded-For entry, so rotating the header makes each request a new IP to the rate limits.
 */
export function trustProxyIsBounded(env: Env) {
  const problems = proxyListProblems(env.TRUST_PROXY);
  if (env.NODE_ENV === 'production' && env.TRUST_PROXY === 'true')
    problems.push(
      'TRUST_PROXY: "true" trusts every X-Forwarded-For hop; use a hop count (1 behind one ALB) or the proxy subnets',
    );
  return problems;
}

/** Node refuses a headers timeout longer than the whole request's. */
export function headersBeforeRequestTimeout(env: Env) {
  return env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS
    ? [`HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS})`]
    : [];
}

/** CloudWatch's metric filters (and every log tool) read JSON lines; pretty output is for a terminal. */
export function jsonLogsInProduction(env: Env) {
  return env.LOG_FORMAT === 'pretty' && env.NODE_ENV === 'production'
    ? ['LOG_FORMAT: "pretty" is for development; production logs JSON (the CloudWatch metric filters read it)']
    : [];
}
