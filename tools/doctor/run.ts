import { inspectDataDirLock } from '../../db/dataDirLock';
import { type Config, loadConfig } from '../../server/config';
import { withTimeout } from '../../server/lib/time';
import { createLogger } from '../../server/logger';
import { serviceVersion } from '../../server/runtime/version';
import { applyStartupSecrets, secretReaderFor } from '../../server/secrets';
import { parseToken } from '../../server/sync/token';
import { type CheckResult, type Outcome, runCheck, skipped } from './check';
import { checkRuntimeDependencies } from './dependencies';
import { checkHubSpot } from './hubspot';
import { masker, sensitiveFromEnv } from './mask';
import { checkMigrations, checkServerVersion, checkTables, connectPostgres, type PostgresSession } from './postgres';
import { checkRedis } from './redis';
import { checkSecret, namedSecrets, rememberingReader } from './secrets';

export interface DoctorReport {
  ok: boolean;
  version: string;
  checks: CheckResult[];
}

export interface DoctorOptions {
  /** Called with each result as soon as it is known, so an operator watches progress. */
  onResult?: (result: CheckResult) => void;
}

/** A secret read that takes longer is not going to succeed: the SDK already retried (3 attempts). */
const SECRET_TIMEOUT_MS = 10_000;
const POSTGRES_DEPENDENT = ['postgres version', 'migrations', 'tables'];

/** Doctor never opens the embedded folder (it belongs to one process); it says who holds it. */
function describeLock(dataDir: string): string {
  const lock = inspectDataDirLock(dataDir);
  if (lock.state === 'free') return 'not open in any process now';
  const who = `pid ${lock.owner.pid} (${lock.owner.purpose}, since ${lock.owner.since})`;
  return lock.state === 'held'
    ? `open in ${who}: a second server or db:migrate/db:seed/db:studio on it is refused`
    : `left locked by ${who}, which no longer runs: the next opener takes the lock over`;
}

function describeConfig(config: Config): string {
  const db = config.database;
  const database =
    db.kind === 'pglite'
      ? `embedded PGlite (${db.dataDir})`
      : `Postgres ${db.user}@${db.host || '(host from secret)'}:${db.port}/${db.database}, DB_SSL_MODE=${db.ssl.mode}${db.iamAuth ? ', IAM auth' : ''}, pools ${db.poolMax}+${db.bookingPoolMax} per instance`;
  const redis = config.redis.kind === 'memory' ? 'in-process store' : `Redis ${config.redis.host}:${config.redis.port}`;
  return `NODE_ENV=${config.env}; ${database}; ${redis}`;
}

/**
 * The preflight: configuration, installed dependencies, secrets, Postgres (connection through the
 * service's own code, version, migrations, tables) and Redis. Checks that need an earlier one that
 * failed are reported as not run, so the first ✗ is the one to fix.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const sensitive = sensitiveFromEnv(env);
  const mask = masker(sensitive);
  const checks: CheckResult[] = [];
  const record = (result: CheckResult): CheckResult => {
    const shown = Object.fromEntries(
      Object.entries(result).map(([k, v]) => [k, typeof v === 'string' ? mask(v) : v]),
    ) as unknown as CheckResult;
    checks.push(shown);
    options.onResult?.(shown);
    return result;
  };
  const finish = (): DoctorReport => ({ ok: checks.every((c) => c.ok), version: serviceVersion, checks });

  let config: Config | undefined;
  record(
    await runCheck('config', { target: 'config' }, 5_000, async () => {
      config = loadConfig(env, serviceVersion);
      return { detail: describeConfig(config) };
    }),
  );
  record(await runCheck('runtime dependencies', { target: 'dependencies' }, 10_000, () => checkRuntimeDependencies()));
  if (!config) {
    for (const name of ['secrets', 'postgres connection', ...POSTGRES_DEPENDENT, 'redis', 'hubspot'])
      record(skipped(name, 'the configuration is invalid'));
    return finish();
  }
  const cfg: Config = config;
  if (cfg.database.kind === 'postgres' && cfg.database.password) sensitive.add(cfg.database.password);
  if (cfg.redis.kind === 'redis' && cfg.redis.password) sensitive.add(cfg.redis.password);
  if (cfg.hubspot.token) sensitive.add(cfg.hubspot.token);

  // Secrets: each one the configuration names, read once with the service's reader.
  const secrets = namedSecrets(cfg);
  const reader = rememberingReader(secretReaderFor(cfg) ?? (() => Promise.reject(new Error('no secret reader'))));
  const failedSecrets = new Set<string>();
  if (secrets.length === 0)
    record({
      name: 'secrets',
      status: 'pass',
      ok: true,
      ms: 0,
      detail: 'none configured: credentials come from the environment',
    });
  for (const secret of secrets) {
    const result = record(
      await runCheck(
        `secret ${secret.variable}`,
        { target: 'secret', secretVariable: secret.variable },
        SECRET_TIMEOUT_MS,
        () => checkSecret(secret, reader, sensitive),
      ),
    );
    if (!result.ok) failedSecrets.add(secret.variable);
  }

  let session: PostgresSession | undefined;
  const db = cfg.database;
  if (db.kind === 'pglite') {
    record({
      name: 'postgres connection',
      status: 'warn',
      ok: true,
      ms: 0,
      detail: `embedded PGlite in ${db.dataDir} (migrations are applied at start); ${describeLock(db.dataDir)}`,
      cause:
        'An embedded database inside one process: a single instance only, and not checked here (its directory belongs to the server).',
      fix: 'Set DATABASE_URL (or DB_HOST and the DB_* parts) to use a real PostgreSQL; NODE_ENV=production requires it.',
    });
  } else if (failedSecrets.has('DB_SECRET_ID')) {
    for (const name of ['postgres connection', ...POSTGRES_DEPENDENT])
      record(skipped(name, 'the database secret could not be read'));
  } else {
    const budget = db.connectTimeoutMs + 2_000 + (db.secretId ? SECRET_TIMEOUT_MS : 0);
    const connected = record(
      await runCheck('postgres connection', { target: 'postgres' }, budget, () =>
        connectPostgres(cfg, (s) => (session = s)),
      ),
    );
    const open = session;
    const queryBudget = db.connectTimeoutMs + 2_000;
    if (connected.ok && open) {
      record(
        await runCheck('postgres version', { target: 'postgres' }, queryBudget, () => checkServerVersion(open.client)),
      );
      record(await runCheck('migrations', { target: 'migrations' }, queryBudget, () => checkMigrations(open.client)));
      record(await runCheck('tables', { target: 'migrations' }, queryBudget, () => checkTables(open.client)));
    } else {
      for (const name of POSTGRES_DEPENDENT) record(skipped(name, 'no database connection'));
    }
  }

  if (failedSecrets.has('REDIS_SECRET_ID')) {
    record(skipped('redis', 'the Redis secret could not be read'));
  } else {
    const redisBudget = (cfg.redis.kind === 'redis' ? cfg.redis.connectTimeoutMs : 0) + 2_000;
    record(
      await runCheck('redis', { target: 'redis' }, redisBudget, async (): Promise<Outcome> => {
        // The same merge of the Redis secret (password, user, host) the service does at start.
        const withSecret = await applyStartupSecrets(
          { ...cfg, session: { ...cfg.session, secretId: undefined } },
          reader,
          createLogger('silent'),
        );
        return checkRedis(withSecret.redis);
      }),
    );
  }

  // Assigned inside the connection check's callback; a connection that arrived after its timeout
  // is not closed here, which is why the CLI exits explicitly.
  if (session) await withTimeout((session as PostgresSession).close(), 2_000).catch(() => undefined);
  record(await hubspotCheck(cfg, reader, failedSecrets));
  return finish();
}

/** The HubSpot token and what the sync needs of it; sync off is a pass (a warning in production). */
async function hubspotCheck(cfg: Config, reader: (id: string) => Promise<string>, failedSecrets: Set<string>) {
  const { hubspot } = cfg;
  if (!hubspot.enabled) {
    const detail = 'sync off: no HUBSPOT_TOKEN or HUBSPOT_TOKEN_SECRET_ID (bookings work; changes wait in the outbox)';
    if (cfg.env !== 'production')
      return { name: 'hubspot', status: 'pass', ok: true, ms: 0, detail } satisfies CheckResult;
    return {
      name: 'hubspot',
      status: 'warn',
      ok: true,
      ms: 0,
      detail,
      cause: 'HubSpot never learns of bookings, cancellations or credits spent here while the sync is off.',
      fix: 'Set HUBSPOT_TOKEN_SECRET_ID to the secret holding the private app token (docs/OPERATIONS.md §8.5).',
    } satisfies CheckResult;
  }
  if (failedSecrets.has('HUBSPOT_TOKEN_SECRET_ID'))
    return skipped('hubspot', 'the HubSpot token secret could not be read');
  return runCheck('hubspot', { target: 'hubspot' }, 15_000, async () => {
    const token = hubspot.token ?? parseToken(await reader(hubspot.tokenSecretId!));
    return checkHubSpot(cfg, token);
  });
}
