import { APP_PORT, METRICS_PORT, PATHS, TIMINGS } from './serviceRuntime';

/** Where the service's dependencies are, as CloudFormation values (tokens) known only at deploy time. */
export interface ServiceEndpoints {
  region: string;
  frontendUrl: string;
  dbHost: string;
  dbPort: string;
  dbName: string;
  /** The RDS-managed master secret (`{ username, password }`), re-read by the service on 28P01. */
  dbSecretArn: string;
  redisHost: string;
  redisPort: string;
  redisSecretArn: string;
  sessionSecretArn: string;
  hubspotTokenSecretArn: string;
}

/**
 * The environment the service reads (README "Configuration"), written by user data to
 * /etc/mocks-booking/env and loaded by the unit's EnvironmentFile. It holds secret ids, never a
 * secret: the service reads the values from Secrets Manager with the instance role.
 */
export function serviceEnvironment(e: ServiceEndpoints): Array<[name: string, value: string]> {
  return [
    ['NODE_ENV', 'production'],
    ['HOST', '0.0.0.0'],
    ['PORT', String(APP_PORT)],
    ['METRICS_PORT', String(METRICS_PORT)],
    ['LOG_LEVEL', 'info'],
    ['TRUST_PROXY', '1'],
    ['FRONTEND_URL', e.frontendUrl],
    ['AWS_REGION', e.region],
    ['DB_HOST', e.dbHost],
    ['DB_PORT', e.dbPort],
    ['DB_NAME', e.dbName],
    ['DB_SECRET_ID', e.dbSecretArn],
    // IAM auth is enabled on the instance and granted to the role; switching the service to it is
    // `GRANT rds_iam TO mocks_booking;` then DB_IAM_AUTH=true (docs/OPERATIONS.md §1.4).
    ['DB_IAM_AUTH', 'false'],
    ['DB_SSL_MODE', 'verify-full'],
    ['DB_SSL_CA', PATHS.caBundle],
    // No separate deploy runner here: each instance migrates at start behind the advisory lock.
    ['DB_MIGRATE_ON_START', 'true'],
    ['REDIS_HOST', e.redisHost],
    ['REDIS_PORT', e.redisPort],
    ['REDIS_TLS', 'true'],
    ['REDIS_SECRET_ID', e.redisSecretArn],
    ['SESSION_SECRET_ID', e.sessionSecretArn],
    ['HUBSPOT_TOKEN_SECRET_ID', e.hubspotTokenSecretArn],
    ['HEALTH_TIMEOUT_MS', String(TIMINGS.healthTimeoutMs)],
    ['SHUTDOWN_DRAIN_DELAY_MS', String(TIMINGS.drainDelayMs)],
    ['SHUTDOWN_TIMEOUT_MS', String(TIMINGS.shutdownTimeoutMs)],
    ['KEEP_ALIVE_TIMEOUT_MS', String(TIMINGS.keepAliveTimeoutMs)],
  ];
}

/** systemd EnvironmentFile syntax: one NAME=value a line, read by systemd, never by a shell. */
export function renderEnvironmentFile(entries: Array<[string, string]>): string {
  return `${entries.map(([name, value]) => `${name}=${value}`).join('\n')}\n`;
}
