import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { DatabaseConfig, PgliteConfig, PostgresConfig } from './config';
import { type CredentialSource, createCredentialSource, credentialedPool } from './credentials';
import { acquireDataDirLock } from './dataDirLock';
import { isConnectionLoss } from './pgErrors';
import { initializeFolderApart, PGLITE_START_PARAMS } from './pgliteFolder';
import * as schema from './schema';
import type { SecretReader } from './secrets';
import { tlsOptions } from './tls';

export type Schema = typeof schema;
/** What query functions take: the database itself or an open transaction, on either driver. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Executor = Database | Transaction;

/** Where the pools report a lost connection: a pino logger, or anything with its `error`. */
export interface ErrorSink {
  error(obj: unknown, msg: string): void;
  warn?(obj: unknown, msg: string): void;
}

/** Runs `work` in one transaction and returns what it returned; rolled back if it throws. */
export type TransactionRunner = <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>;

interface Databases {
  /** Everything else: reads, health, migrations. */
  db: Database;
  /**
   * Booking and cancellation transactions only. They run while holding a session's Redis lock, so
   * they must never queue for a connection behind reads: a bulkhead pool keeps the lock short.
   */
  bookingTransaction: TransactionRunner;
  /** Single statements on the booking pool: a booking as one statement (book_seat) runs here. */
  bookingDb: Database;
  close(): Promise<void>;
}

export type DatabaseHandle = Databases &
  (
    | {
        mode: 'postgres';
        pool: pg.Pool;
        /** Both pools by name, for the pool metrics (server/metrics). */
        pools: { main: pg.Pool; booking: pg.Pool };
      }
    | { mode: 'pglite'; pglite: PGlite }
  );

/** Pool settings; where and as whom to connect comes from the credential source per connection. */
function poolOptions(cfg: PostgresConfig): pg.PoolConfig {
  return {
    ssl: tlsOptions(cfg.ssl),
    max: cfg.poolMax,
    min: cfg.poolMin,
    idleTimeoutMillis: cfg.idleTimeoutMs,
    connectionTimeoutMillis: cfg.connectTimeoutMs,
    statement_timeout: cfg.statementTimeoutMs,
    application_name: 'mocks-booking',
  };
}

function createPool(options: pg.PoolConfig, source: CredentialSource, name: string, log: ErrorSink): pg.Pool {
  const lost = (err: Error) =>
    (log.warn ?? log.error).call(
      log,
      { err, pool: name },
      'postgres connection lost; the pool opens a new one on demand',
    );
  const pool = credentialedPool(pg.Pool, pg.Client, options, source, lost);
  // pg-pool re-emits an idle client's error here; unhandled, that would kill the process. The client's
  // own handler (credentialedPool) has already reported it.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Transactions on a client checked out here rather than through drizzle's pool path: drizzle sends
 * BEGIN outside its try/finally, so a connection that dies right there would never go back to the
 * pool, and after a failover the pool could leak itself empty. A client whose connection was lost is
 * released with the error, which destroys it.
 *
 * One retry on a fresh connection, and only when it is certainly safe: the connection died after it
 * was handed to us and before `work` finished, so COMMIT was never sent and Postgres rolled the whole
 * transaction back. A loss during COMMIT (outcome unknown) and a failure to connect at all (the
 * database is down: retrying now only doubles the wait) are not retried.
 */
function transactionsOn(pool: pg.Pool): TransactionRunner {
  const bound = new WeakMap<pg.PoolClient, Database>();
  const attempt = async <T>(
    work: (tx: Transaction) => Promise<T>,
    progress: { connected: boolean; workDone: boolean },
  ) => {
    const client = await pool.connect();
    progress.connected = true;
    let lost: Error | undefined;
    try {
      let db = bound.get(client);
      if (!db) {
        db = drizzlePg({ client, schema }) as unknown as Database;
        bound.set(client, db);
      }
      return await db.transaction(async (tx) => {
        const result = await work(tx);
        progress.workDone = true;
        return result;
      });
    } catch (err) {
      if (isConnectionLoss(err)) lost = err as Error;
      throw err;
    } finally {
      client.release(lost);
    }
  };
  return async (work) => {
    const first = { connected: false, workDone: false };
    try {
      return await attempt(work, first);
    } catch (err) {
      if (!first.connected || first.workDone || !isConnectionLoss(err)) throw err;
      return attempt(work, { connected: false, workDone: false });
    }
  };
}

export interface CredentialDeps {
  /** Reads Secrets Manager secrets; needed when the config names a database secret. */
  readSecret?: SecretReader | undefined;
  region?: string | undefined;
}

export function openPostgres(cfg: PostgresConfig, log: ErrorSink, deps: CredentialDeps = {}): DatabaseHandle {
  if (cfg.secretId && !deps.readSecret)
    throw new Error('a database secret is configured but no secret reader was given');
  const source = createCredentialSource(cfg, deps);
  const pool = createPool(poolOptions(cfg), source, 'main', log);
  const bookingPool = createPool(
    { ...poolOptions(cfg), max: cfg.bookingPoolMax, min: cfg.bookingPoolMin },
    source,
    'booking',
    log,
  );
  return {
    mode: 'postgres',
    pool,
    pools: { main: pool, booking: bookingPool },
    db: drizzlePg({ client: pool, schema }) as unknown as Database,
    bookingTransaction: transactionsOn(bookingPool),
    bookingDb: drizzlePg({ client: bookingPool, schema }) as unknown as Database,
    close: async () => {
      await Promise.all([pool.end(), bookingPool.end()]);
    },
  };
}

async function openPglite(cfg: PgliteConfig, purpose: string): Promise<DatabaseHandle> {
  mkdirSync(cfg.dataDir, { recursive: true });
  // Before PGlite reads a byte: a second process on the folder would work on a copy of its own (db/dataDirLock.ts).
  const lock = acquireDataDirLock(cfg.dataDir, purpose);
  let pglite: PGlite;
  try {
    await initializeFolderApart(cfg.dataDir);
    pglite = await PGlite.create({ dataDir: cfg.dataDir, startParams: PGLITE_START_PARAMS });
  } catch (err) {
    lock.release();
    throw err;
  }
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Database;
  // One embedded connection serves everything; PGlite runs one transaction at a time anyway.
  return {
    mode: 'pglite',
    db,
    bookingTransaction: (work) => db.transaction(work),
    bookingDb: db,
    pglite,
    close: async () => {
      try {
        await pglite.close();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * Opens the configured database. `deps.purpose` names the opener in the embedded folder's lock
 * ("server", "db:migrate"...), which is what a refused second opener is told.
 */
export function openDatabase(
  cfg: DatabaseConfig,
  log: ErrorSink,
  deps: CredentialDeps & { purpose?: string } = {},
): Promise<DatabaseHandle> {
  return cfg.kind === 'postgres'
    ? Promise.resolve(openPostgres(cfg, log, deps))
    : openPglite(cfg, deps.purpose ?? 'a process');
}
