import pg from 'pg';
import type { ErrorSink } from '../../db/client';
import type { Config } from '../../server/config';
import { redactUrlPasswords } from '../../server/lib/redact';
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';

/**
 * The toolkit's two connections. Both read instants in UTC and dates as ISO, whatever the server's
 * or this process's settings; the source session is read-only, so the tool cannot change the live
 * database even by mistake, and runs with row_security off, so a read that row-level security would
 * filter raises an error instead of returning fewer rows (see rowSecurity.ts).
 */
const SESSION_SETUP = ["set time zone 'UTC'", "set datestyle = 'ISO, YMD'", "set statement_timeout = '10min'"];

export interface Connections {
  source: pg.Client;
  target: pg.ClientBase;
  sourceLabel: string;
  targetLabel: string;
  close(): Promise<void>;
}

export class TargetNotSupportedError extends Error {}

export function targetLabel(config: Config): string {
  const db = config.database;
  if (db.kind !== 'postgres') return `pglite:${db.dataDir}`;
  const where = `postgres://${db.user ? `${db.user}@` : ''}${db.host || '(host from secret)'}:${db.port}/${db.database}`;
  return db.secretId ? `${where} (credentials from secret ${db.secretId})` : where;
}

async function prepareSession(client: pg.ClientBase, extraSetup: string[]): Promise<void> {
  for (const statement of [...SESSION_SETUP, "set application_name = 'mocks-booking-migration'", ...extraSetup])
    await client.query(statement);
}

/**
 * The target is opened exactly as the service opens it (TLS mode, Secrets Manager or IAM credentials),
 * then one connection is kept for the whole run.
 */
async function openTarget(config: Config, log: ErrorSink): Promise<{ client: pg.PoolClient; close(): Promise<void> }> {
  if (config.database.kind !== 'postgres') {
    throw new TargetNotSupportedError(
      'The target is the embedded PGlite database (no DATABASE_URL or DB_HOST is set). Importing into it is not supported: ' +
        'set DATABASE_URL (or DB_HOST and the other DB_* variables) to the PostgreSQL the service will use.',
    );
  }
  const handle = await openConfiguredDatabase(config, log);
  if (handle.mode !== 'postgres')
    throw new TargetNotSupportedError('unreachable: a postgres configuration opened as PGlite');
  let client: pg.PoolClient;
  try {
    client = await handle.pool.connect();
    await prepareSession(client, []);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return {
    client,
    close: async () => {
      client.release();
      await handle.close();
    },
  };
}

async function openSource(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A dropped connection surfaces as the failing query's error; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await prepareSession(client, ['set default_transaction_read_only = on', 'set row_security = off']);
  } catch (err) {
    await client.end();
    throw err;
  }
  return client;
}

async function openConnections(sourceUrl: string, config: Config, log: ErrorSink): Promise<Connections> {
  const target = await openTarget(config, log);
  let source: pg.Client;
  try {
    source = await openSource(sourceUrl);
  } catch (err) {
    await target.close();
    throw err;
  }
  return {
    source,
    target: target.client,
    sourceLabel: redactUrlPasswords(sourceUrl),
    targetLabel: targetLabel(config),
    close: async () => {
      await Promise.allSettled([source.end(), target.close()]);
    },
  };
}

/**
 * Opens both connections for a command, or prints why it could not (and the caller exits with
 * EXIT.failed): an unsupported target says what to set, anything else is a connection failure.
 */
export async function openConnectionsFor(
  command: string,
  source: string,
  config: Config,
  out: { error(text: string): void },
): Promise<Connections | undefined> {
  try {
    return await openConnections(source, config, createLogger(config.logLevel, { cli: command }));
  } catch (err) {
    out.error(err instanceof TargetNotSupportedError ? err.message : `Could not connect: ${(err as Error).message}`);
    return undefined;
  }
}
