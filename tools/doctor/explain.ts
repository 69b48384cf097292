import { type ErrorFacts, errorFacts, hasCode, hasName, saysAny } from './errorFacts';

/**
 * Failure → cause in plain words + the fix, as one table. Every entry is an outage someone has had
 * (the failed cutover had four of them); the first matching row wins, so specific rows come first.
 */

/** What was being checked: the same ECONNREFUSED needs a different fix for Postgres and for Redis. */
export type Target = 'config' | 'dependencies' | 'secret' | 'postgres' | 'migrations' | 'redis' | 'hubspot';

export interface ExplainContext {
  target: Target;
  /** The environment variable that names the secret (secret checks), e.g. DB_SECRET_ID. */
  secretVariable?: string;
  timeoutMs?: number;
}

export interface Explanation {
  /** Stable id of the matching row, for tests and the --json report. */
  rule: string;
  cause: string;
  fix: string;
}

interface Rule {
  rule: string;
  when: (f: ErrorFacts, c: ExplainContext) => boolean;
  cause: string | ((f: ErrorFacts, c: ExplainContext) => string);
  fix: string | ((f: ErrorFacts, c: ExplainContext) => string);
}

const RDS_BUNDLE = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';
const ENABLE_TLS = `DB_SSL_MODE=verify-full DB_SSL_CA=/path/to/global-bundle.pem (the RDS global bundle, ${RDS_BUNDLE}, copied into the image at build time)`;

/** Which settings say where a target lives, for fixes that must name them. */
const WHERE: Partial<Record<Target, { host: string; port: string; what: string }>> = {
  postgres: {
    host: 'DB_HOST (or the host in DATABASE_URL or in the database secret)',
    port: 'DB_PORT (RDS: 5432)',
    what: 'the database',
  },
  migrations: { host: 'DB_HOST', port: 'DB_PORT', what: 'the database' },
  redis: { host: 'REDIS_HOST (or REDIS_URL)', port: 'REDIS_PORT (ElastiCache: 6379)', what: 'Redis' },
  hubspot: { host: 'HUBSPOT_API_BASE_URL', port: 'HUBSPOT_API_BASE_URL', what: 'HubSpot' },
  secret: {
    host: 'AWS_REGION / AWS_ENDPOINT_URL_SECRETS_MANAGER',
    port: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    what: 'the Secrets Manager endpoint',
  },
};
const where = (c: ExplainContext) =>
  WHERE[c.target] ?? { host: 'the host setting', port: 'the port setting', what: 'the service' };
const secretSetting = (c: ExplainContext) => c.secretVariable ?? 'DB_SECRET_ID / REDIS_SECRET_ID / SESSION_SECRET_ID';
const isSecretTarget = (c: ExplainContext) => c.target === 'secret';

const UNTRUSTED_CERT = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
];
const NO_AWS_CREDENTIALS = [
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
];

export const rules: readonly Rule[] = [
  {
    rule: 'hubspot-token-rejected',
    when: (f) => hasCode(f, 'HUBSPOT_TOKEN_REJECTED'),
    cause: 'HubSpot does not accept the token: revoked, rotated, mistyped, or from another account.',
    fix: 'In HubSpot, Settings → Integrations → Private Apps → the app → Auth: copy the access token into the secret named by HUBSPOT_TOKEN_SECRET_ID (from a file, docs/OPERATIONS.md §8.5) or HUBSPOT_TOKEN, restart, run doctor again.',
  },
  {
    rule: 'hubspot-scopes-missing',
    when: (f) => hasCode(f, 'HUBSPOT_SCOPES_MISSING'),
    cause: 'The private app lacks scopes the sync needs (named above): its calls would be refused (403) and set aside.',
    fix: 'In the private app’s Scopes tab add the missing ones (crm.objects.contacts.read/write, crm.objects.custom.read/write), commit, and put the new token in the secret; then `npm run sync:retry-dead`.',
  },
  {
    rule: 'hubspot-key-property',
    when: (f) => hasCode(f, 'HUBSPOT_KEY_PROPERTY'),
    cause:
      'The bookings object has no unique property HUBSPOT_BOOKING_KEY_PROPERTY, or the mock exams object no unique property HUBSPOT_EXAM_KEY_PROPERTY (the line above names which): the push upserts on them and would be refused, or could create duplicates.',
    fix: 'Create it (docs/SYNC.md "Setting it up in HubSpot"): Settings → Properties → that object → Create property, single-line text, "Require unique values for this property" on; or set the variable to the one that exists.',
  },
  {
    rule: 'config-invalid',
    when: (f) => hasName(f, 'ConfigError'),
    cause: 'The environment has missing or invalid settings (listed above); the service would refuse to start.',
    fix: 'Set the variables named above (README.md "Configuration", docs/OPERATIONS.md). A password with special characters goes in DB_PASSWORD (or a secret), not inside DATABASE_URL; in a URL it must be percent-encoded.',
  },
  {
    rule: 'embedded-folder-in-use',
    when: (f) => hasName(f, 'DataDirLockedError'),
    cause:
      'Another live process has the embedded PGlite folder open (named above). PGlite works on an in-memory copy of the folder, so two processes on one folder would overwrite each other.',
    fix: 'Stop that process (the server, db:studio, another CLI) and run this again, or set PGLITE_DATA_DIR to another folder. A crashed owner does not count: its lock is taken over automatically.',
  },
  {
    rule: 'module-missing',
    when: (f) => hasCode(f, 'ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'),
    cause:
      'A runtime dependency is not installed where the service runs; the service would crash the first time it imports it.',
    fix: 'Install the production dependencies in the image: copy package.json and package-lock.json and run `npm ci --omit=dev`. A package the server imports belongs in "dependencies", not "devDependencies".',
  },
  {
    rule: 'migrations-pending',
    when: (f) => hasCode(f, 'PENDING_MIGRATIONS'),
    cause: 'The database schema is behind this release: committed migrations have not been applied.',
    fix: 'Run `npm run db:migrate` with the same environment (the deploy step), or start one instance with DB_MIGRATE_ON_START=true; then run doctor again.',
  },
  {
    rule: 'migrations-out-of-order',
    when: (f) => hasCode(f, 'MIGRATIONS_OUT_OF_ORDER'),
    cause: 'A committed migration is older than the newest applied one, so the migrator will never apply it.',
    fix: 'Regenerate that migration on top of the current ones (`npm run db:generate`), commit it, and deploy again.',
  },
  {
    rule: 'tables-missing',
    when: (f) => hasCode(f, 'MISSING_TABLES'),
    cause: 'Tables the service needs do not exist in this database (never migrated, or the wrong database).',
    fix: 'Check DB_NAME (or dbname in the secret) names the service database, then run `npm run db:migrate`.',
  },
  {
    rule: 'postgres-too-old',
    when: (f) => hasCode(f, 'POSTGRES_TOO_OLD'),
    cause: 'The database server is older than PostgreSQL 14, which the service needs.',
    fix: 'Upgrade the server to PostgreSQL 14 or newer (RDS: modify the instance, engine version 14+).',
  },
  {
    rule: 'postgres-wrong-password',
    when: (f) => hasCode(f, '28P01'),
    cause: 'Postgres rejected the password for this user (28P01: password authentication failed).',
    fix: 'Make the password the service receives match the database: DB_PASSWORD, the database secret (the source of truth once RDS rotates it; the service re-reads it once on 28P01), or a percent-encoded password in DATABASE_URL. Pass it as a value (task definition, secret), never through a shell line, where characters like # $ % ^ | ] are mangled.',
  },
  {
    rule: 'postgres-tls-required',
    when: (f) => hasCode(f, '28000') && saysAny(f, /no encryption/i),
    cause:
      'The database only accepts TLS connections from here (no pg_hba.conf entry for an unencrypted connection; RDS with rds.force_ssl=1).',
    fix: `Enable TLS: ${ENABLE_TLS}, with DB_HOST the RDS endpoint.`,
  },
  {
    rule: 'postgres-no-hba-entry',
    when: (f) => hasCode(f, '28000'),
    cause:
      'The database has no pg_hba.conf rule (or grant) letting this user connect to this database from here (28000).',
    fix: 'Check DB_USER and DB_NAME. The DBA must allow this client: a pg_hba.conf rule for this address, or on RDS the user must exist (and have the rds_iam role when DB_IAM_AUTH=true).',
  },
  {
    rule: 'postgres-database-missing',
    when: (f) => hasCode(f, '3D000'),
    cause: 'The database named in the configuration does not exist on that server.',
    fix: 'Check DB_NAME (or dbname in the secret / the path of DATABASE_URL), or create the database.',
  },
  {
    rule: 'postgres-too-many-connections',
    when: (f) => hasCode(f, '53300'),
    cause: 'The database has no connection slots left (53300).',
    fix: 'Budget connections: instances × (DB_POOL_MAX + DB_BOOKING_POOL_MAX) + headroom must stay below max_connections (docs/OPERATIONS.md "Pool sizing").',
  },
  {
    rule: 'postgres-starting',
    when: (f) => hasCode(f, '57P03'),
    cause: 'The database is starting up, shutting down or in recovery and not accepting connections yet.',
    fix: 'Wait for the instance to become available (RDS console: status "Available") and run doctor again.',
  },
  {
    rule: 'tls-not-supported-by-server',
    when: (f) => saysAny(f, /does not support SSL/i),
    cause: 'The database server does not offer TLS on that address.',
    fix: 'RDS always offers TLS: check DB_HOST is the RDS endpoint, not a proxy or tunnel. For a server you run, turn on ssl in postgresql.conf. DB_SSL_MODE=disable only on a private network you control, never for RDS.',
  },
  {
    rule: 'tls-cert-untrusted',
    when: (f) => hasCode(f, ...UNTRUSTED_CERT),
    cause:
      'Certificate not trusted: the server certificate is not signed by a certificate authority this process trusts.',
    fix: (_f, c) =>
      c.target === 'redis'
        ? 'ElastiCache certificates are signed by a public CA: check REDIS_HOST is the ElastiCache endpoint, not a proxy or tunnel with a certificate of its own.'
        : `Set DB_SSL_CA to the RDS global bundle (${RDS_BUNDLE}), copied into the image at build time, with DB_SSL_MODE=verify-full. Do not switch to DB_SSL_MODE=require to silence this: it turns verification off.`,
  },
  {
    rule: 'tls-cert-expired',
    when: (f) => hasCode(f, 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'),
    cause: 'The server certificate is expired (or not yet valid by this machine’s clock).',
    fix: 'Check the system clock; on RDS rotate the instance to a current CA (e.g. rds-ca-rsa2048-g1) and use the current global bundle as DB_SSL_CA.',
  },
  {
    rule: 'tls-host-mismatch',
    when: (f) => hasCode(f, 'ERR_TLS_CERT_ALTNAME_INVALID'),
    cause: 'Host name mismatch: the certificate is not issued for the host name (or IP address) we connected to.',
    fix: (_f, c) =>
      c.target === 'redis'
        ? 'Connect with the host name on the certificate, e.g. the ElastiCache endpoint, not an IP/CNAME: set REDIS_HOST to it.'
        : 'Connect with the host name on the certificate, e.g. the RDS endpoint, not an IP/CNAME: set DB_HOST (or the secret’s host) to the endpoint (….rds.amazonaws.com) exactly as the RDS console shows it.',
  },
  {
    rule: 'tls-handshake-failed',
    when: (f) =>
      hasCode(f, 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER') ||
      saysAny(f, /wrong version number|packet length too long/i),
    cause: 'The TLS handshake failed: the server on that port does not speak TLS (or speaks only TLS and we did not).',
    fix: (_f, c) =>
      c.target === 'redis'
        ? 'Match REDIS_TLS (or rediss://) to the cluster: true exactly when ElastiCache in-transit encryption is on.'
        : 'Check DB_SSL_MODE and that DB_PORT is the database port, not a proxy.',
  },
  {
    rule: 'secret-not-found',
    when: (f) => hasName(f, 'ResourceNotFoundException') || hasCode(f, 'ResourceNotFoundException'),
    cause: 'Secret not found: there is no secret with that name or ARN in this account and region.',
    fix: (_f, c) => `Check ${secretSetting(c)} (the secret name or its full ARN) and AWS_REGION: secrets are regional.`,
  },
  {
    rule: 'secret-access-denied',
    when: (f) => hasName(f, 'AccessDeniedException') || hasCode(f, 'AccessDeniedException'),
    cause: 'Access denied: the IAM role this process runs as is not allowed to read that secret.',
    fix: 'The IAM policy of the task/instance role needs secretsmanager:GetSecretValue on that secret’s ARN, and kms:Decrypt on its KMS key when the secret is encrypted with a customer-managed key (CMK).',
  },
  {
    rule: 'secret-kms-denied',
    when: (f) => hasName(f, 'DecryptionFailure', 'KMSAccessDeniedException'),
    cause: 'Secrets Manager could not decrypt the secret with its KMS key for this role.',
    fix: 'Allow kms:Decrypt on the secret’s customer-managed key to the task/instance role (key policy and IAM policy).',
  },
  {
    rule: 'aws-credentials',
    when: (f) => hasName(f, ...NO_AWS_CREDENTIALS),
    cause: 'No valid AWS credentials: the SDK found none, or they are expired or wrong.',
    fix: 'Run with an IAM role (ECS task role, EC2 instance profile); on a workstation set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
  },
  {
    rule: 'secret-malformed',
    when: (f) =>
      hasName(f, 'SecretError') &&
      saysAny(f, / is not (an RDS|a Redis)|must hold a session secret|no SecretString|has no host/),
    cause: 'Malformed secret: its value is not in a shape the service reads.',
    fix: 'Database: JSON {"username","password"} (the RDS-managed shape; host from DB_HOST) or {"engine","host","port","username","password","dbname"}. Redis: the AUTH token, or {"password"} with optional username/host/port. Session: a string of 32+ characters. Binary secrets are not supported.',
  },
  {
    rule: 'redis-password-required',
    when: (f) => saysAny(f, /NOAUTH/),
    cause: 'Redis requires a password and none was sent (NOAUTH).',
    fix: 'Set REDIS_PASSWORD (the ElastiCache AUTH token) or REDIS_SECRET_ID; add REDIS_USERNAME for an RBAC/ACL user.',
  },
  {
    rule: 'redis-auth-failed',
    when: (f) => saysAny(f, /WRONGPASS|invalid username-password|invalid password|AUTH failed/i),
    cause: 'Redis rejected the user name or password (auth error).',
    fix: 'Check REDIS_PASSWORD / REDIS_USERNAME or the REDIS_SECRET_ID secret against the ElastiCache AUTH token or RBAC user; inside REDIS_URL the password must be percent-encoded.',
  },
  {
    rule: 'redis-read-only',
    when: (f) => saysAny(f, /READONLY/),
    cause: 'Connected to a read-only Redis replica: locks and counters cannot be written.',
    fix: 'Set REDIS_HOST to the primary endpoint (ElastiCache: the primary or configuration endpoint, not a reader endpoint).',
  },
  {
    rule: 'redis-no-permission',
    when: (f) => saysAny(f, /NOPERM/),
    cause: 'The Redis user may not run the commands or touch the keys the service needs (NOPERM).',
    fix: 'Give the ACL user access to keys under REDIS_KEY_PREFIX (~<prefix>*) and the commands get, set, del, mget, incr, pexpire, pttl, multi/exec, eval/evalsha, ping, info.',
  },
  {
    rule: 'unknown-host',
    when: (f) => hasCode(f, 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'),
    cause: (f, c) =>
      `Unknown host: the host name of ${where(c).what} does not resolve${hasCode(f, 'EAI_AGAIN') ? ' (DNS did not answer)' : ''}.`,
    fix: (_f, c) =>
      isSecretTarget(c)
        ? 'Check AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER; with a VPC interface endpoint, enable its private DNS.'
        : `Check ${where(c).host}: copy the endpoint exactly as the AWS console shows it; in a VPC, enable DNS resolution and DNS host names.`,
  },
  {
    rule: 'connection-refused',
    when: (f) => hasCode(f, 'ECONNREFUSED'),
    cause: (_f, c) => `Connection refused: nothing accepts connections for ${where(c).what} at that host and port.`,
    fix: (_f, c) =>
      `Check ${where(c).port} and ${where(c).host}, and that ${where(c).what} is running. (A security group drops packets rather than refusing them, so a refusal usually means a wrong port or a stopped server.)`,
  },
  {
    rule: 'no-route',
    when: (f) => hasCode(f, 'EHOSTUNREACH', 'ENETUNREACH'),
    cause: (_f, c) => `No network route to ${where(c).what}.`,
    fix: 'Check the subnets and route tables: the service must run in a VPC/subnet that can reach it.',
  },
  {
    rule: 'timeout',
    when: (f) =>
      hasName(f, 'TimeoutError') ||
      hasCode(f, 'ETIMEDOUT', 'ETIMEOUT') ||
      saysAny(f, /timeout expired|timeout exceeded|due to connection timeout|timed out|no answer within/i),
    cause: (_f, c) =>
      `Timeout: ${where(c).what} did not answer${c.timeoutMs ? ` within ${c.timeoutMs} ms` : ''}; packets are being dropped or the address is wrong.`,
    fix: (_f, c) =>
      isSecretTarget(c)
        ? 'A private subnet needs a NAT gateway or a VPC interface endpoint for secretsmanager; check its security group allows 443 from the service.'
        : `Allow inbound ${c.target === 'redis' ? '6379' : '5432'} from the service's security group on ${where(c).what}'s security group, check the NACLs, and check ${where(c).host}. Raise ${c.target === 'redis' ? 'REDIS_CONNECT_TIMEOUT_MS' : 'DB_CONNECT_TIMEOUT_MS'} only if the network is merely slow.`,
  },
  {
    rule: 'connection-reset',
    when: (f) => hasCode(f, 'ECONNRESET') || saysAny(f, /Connection terminated unexpectedly|socket hang up/i),
    cause: (_f, c) => `${where(c).what} closed the connection during the handshake.`,
    fix: (_f, c) =>
      c.target === 'redis'
        ? 'Usually TLS: with ElastiCache in-transit encryption set REDIS_TLS=true (or rediss://).'
        : 'Usually TLS or a proxy: check DB_SSL_MODE and that DB_HOST/DB_PORT point at the database itself.',
  },
];

const UNKNOWN: Omit<Explanation, 'cause'> = {
  rule: 'unrecognized',
  fix: 'Doctor does not recognize this failure: read the detail above; `npm run doctor -- --json` gives the full report.',
};

export function explain(err: unknown, context: ExplainContext): Explanation {
  const facts = errorFacts(err);
  const row = rules.find((r) => r.when(facts, context));
  if (!row) return { ...UNKNOWN, cause: `Unrecognized failure of ${where(context).what}.` };
  const text = (v: Rule['cause']) => (typeof v === 'function' ? v(facts, context) : v);
  return { rule: row.rule, cause: text(row.cause), fix: text(row.fix) };
}
