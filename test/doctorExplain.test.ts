import { describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../db/dataDirLock';
import { ConfigError } from '../server/config';
import { TimeoutError } from '../server/lib/time';
import { SecretError } from '../server/secrets';
import { CheckFailure } from '../tools/doctor/check';
import { type ExplainContext, explain, rules } from '../tools/doctor/explain';

/** Errors shaped as the drivers and the AWS SDK raise them (codes, names, messages, causes). */
const failure = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });
const secretError = (cause: Error) =>
  new SecretError('rds/app', `reading secret rds/app failed: ${cause.name}: ${cause.message}`, true, { cause });

const postgres: ExplainContext = { target: 'postgres' };
const redis: ExplainContext = { target: 'redis' };
const secret: ExplainContext = { target: 'secret', secretVariable: 'DB_SECRET_ID' };

const cases: Array<[rule: string, err: unknown, context: ExplainContext, says: RegExp]> = [
  [
    'config-invalid',
    new ConfigError(['REDIS_URL: required when NODE_ENV=production']),
    { target: 'config' },
    /missing or invalid settings/,
  ],
  [
    'embedded-folder-in-use',
    new DataDirLockedError('.data/pglite', {
      pid: 4242,
      startTime: '1',
      hostname: 'h',
      purpose: 'server (npm start)',
      since: '2026-01-01T00:00:00Z',
    }),
    { target: 'postgres' },
    /Stop that process/,
  ],
  [
    'hubspot-token-rejected',
    new CheckFailure('HUBSPOT_TOKEN_REJECTED', 'HubSpot refused the token (401)'),
    { target: 'hubspot' },
    /does not accept the token/,
  ],
  [
    'hubspot-scopes-missing',
    new CheckFailure('HUBSPOT_SCOPES_MISSING', "the private app's token lacks crm.objects.custom.write"),
    { target: 'hubspot' },
    /lacks scopes/,
  ],
  [
    'hubspot-key-property',
    new CheckFailure('HUBSPOT_KEY_PROPERTY', 'no property mb_booking_key on the bookings object'),
    { target: 'hubspot' },
    /no unique property/,
  ],
  [
    'module-missing',
    new CheckFailure('ERR_MODULE_NOT_FOUND', 'cannot resolve pino'),
    { target: 'dependencies' },
    /npm ci --omit=dev/,
  ],
  [
    'migrations-pending',
    new CheckFailure('PENDING_MIGRATIONS', '1 of 3 pending: 0002_x'),
    { target: 'migrations' },
    /npm run db:migrate/,
  ],
  [
    'migrations-out-of-order',
    new CheckFailure('MIGRATIONS_OUT_OF_ORDER', 'older'),
    { target: 'migrations' },
    /never apply it/,
  ],
  ['tables-missing', new CheckFailure('MISSING_TABLES', 'missing: sync_metadata'), { target: 'migrations' }, /DB_NAME/],
  ['postgres-too-old', new CheckFailure('POSTGRES_TOO_OLD', 'PostgreSQL 13.4'), postgres, /14 or newer/],
  [
    'postgres-wrong-password',
    failure('password authentication failed for user "app"', { code: '28P01', severity: 'FATAL' }),
    postgres,
    /rejected the password/,
  ],
  [
    'postgres-tls-required',
    failure('no pg_hba.conf entry for host "10.0.1.5", user "app", database "booking", no encryption', {
      code: '28000',
    }),
    postgres,
    /DB_SSL_MODE=verify-full DB_SSL_CA=/,
  ],
  [
    'postgres-no-hba-entry',
    failure('no pg_hba.conf entry for host "10.0.1.5", user "app", database "booking", SSL encryption', {
      code: '28000',
    }),
    postgres,
    /DB_USER and DB_NAME/,
  ],
  [
    'postgres-database-missing',
    failure('database "bookng" does not exist', { code: '3D000' }),
    postgres,
    /does not exist/,
  ],
  [
    'postgres-too-many-connections',
    failure('sorry, too many clients already', { code: '53300' }),
    postgres,
    /DB_POOL_MAX \+ DB_BOOKING_POOL_MAX/,
  ],
  ['postgres-starting', failure('the database system is starting up', { code: '57P03' }), postgres, /starting up/],
  [
    'tls-not-supported-by-server',
    new Error('The server does not support SSL connections'),
    postgres,
    /does not offer TLS/,
  ],
  [
    'tls-cert-untrusted',
    failure('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
    postgres,
    /Set DB_SSL_CA to the RDS global bundle/,
  ],
  ['tls-cert-expired', failure('certificate has expired', { code: 'CERT_HAS_EXPIRED' }), postgres, /expired/],
  [
    'tls-host-mismatch',
    failure("Hostname/IP does not match certificate's altnames", { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
    postgres,
    /the RDS endpoint, not an IP\/CNAME/,
  ],
  ['tls-handshake-failed', failure('write EPROTO ... wrong version number', { code: 'EPROTO' }), redis, /REDIS_TLS/],
  [
    'secret-not-found',
    secretError(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")),
    secret,
    /Check DB_SECRET_ID/,
  ],
  [
    'secret-access-denied',
    secretError(awsError('AccessDeniedException', 'is not authorized to perform: secretsmanager:GetSecretValue')),
    secret,
    /secretsmanager:GetSecretValue.*kms:Decrypt/,
  ],
  [
    'secret-kms-denied',
    secretError(awsError('DecryptionFailure', 'access to KMS is not allowed')),
    secret,
    /kms:Decrypt/,
  ],
  [
    'aws-credentials',
    secretError(awsError('CredentialsProviderError', 'Could not load credentials from any providers')),
    secret,
    /IAM role/,
  ],
  [
    'secret-malformed',
    new SecretError('rds/app', 'secret rds/app is not an RDS credentials secret (check: username)', true),
    secret,
    /"username","password"/,
  ],
  ['redis-read-only', new Error("READONLY You can't write against a read only replica."), redis, /primary endpoint/],
  ['redis-no-permission', new Error("NOPERM User app has no permissions to run the 'set' command"), redis, /ACL user/],
  ['redis-password-required', new Error('NOAUTH Authentication required.'), redis, /REDIS_PASSWORD/],
  [
    'redis-auth-failed',
    failure('WRONGPASS invalid username-password pair or user is disabled.', { name: 'ReplyError' }),
    redis,
    /REDIS_USERNAME/,
  ],
  [
    'unknown-host',
    failure('getaddrinfo ENOTFOUND db.example.invalid', { code: 'ENOTFOUND' }),
    postgres,
    /Check DB_HOST/,
  ],
  [
    'connection-refused',
    new AggregateError([failure('connect ECONNREFUSED ::1:6379', { code: 'ECONNREFUSED' })], ''),
    redis,
    /REDIS_PORT/,
  ],
  ['no-route', failure('connect EHOSTUNREACH 10.0.0.9:5432', { code: 'EHOSTUNREACH' }), postgres, /route tables/],
  ['timeout', new TimeoutError('no answer within 5000 ms'), postgres, /security group/],
  ['connection-reset', failure('read ECONNRESET', { code: 'ECONNRESET' }), redis, /REDIS_TLS=true/],
];

describe('doctor: failure → cause and fix', () => {
  it.each(cases)('%s', (rule, err, context, says) => {
    const explained = explain(err, context);
    expect(explained.rule).toBe(rule);
    expect(`${explained.cause} ${explained.fix}`).toMatch(says);
  });

  it('has a case above for every row of the table', () => {
    expect(new Set(cases.map(([rule]) => rule))).toEqual(new Set(rules.map((r) => r.rule)));
  });

  it('finds the code inside wrappers (drizzle "Failed query", pg-pool, SecretError)', () => {
    const wrapped = new Error('Failed query: select 1', {
      cause: failure('password authentication failed', { code: '28P01' }),
    });
    expect(explain(wrapped, postgres).rule).toBe('postgres-wrong-password');
  });

  it('names the right settings for the same failure on a different dependency', () => {
    const refused = failure('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' });
    expect(explain(refused, postgres).fix).toMatch(/DB_PORT/);
    expect(explain(refused, redis).fix).toMatch(/REDIS_PORT/);
    const timeout = new TimeoutError('no answer within 10000 ms');
    expect(explain(timeout, secret).fix).toMatch(/VPC interface endpoint for secretsmanager/);
  });

  it('says so when it does not recognize a failure, rather than guessing', () => {
    expect(explain(new Error('something odd'), postgres)).toMatchObject({
      rule: 'unrecognized',
      cause: expect.stringMatching(/Unrecognized/),
    });
  });
});
