import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { PgliteConfig, PostgresConfig } from '../server/config';
import * as schema from './schema';

export type Schema = typeof schema;
/** What query functions take: the database itself or an open transaction, on either driver. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Executor = Database | Transaction;

interface ErrorSink {
  error(obj: unknown, msg: string): void;
}

interface Databases {
  /** Everything else: reads, health, migrations. */
  db: Database;
  /**
   * Booking and cancellation transactions only. They run while holding a session's Redis lock, so
   * they must never queue for a connection behind reads: a bulkhead pool keeps the lock short.
   */
  bookingDb: Database;
  close(): Promise<void>;
}

export type DatabaseHandle = Databases & ({ mode: 'postgres'; pool: pg.Pool } | { mode: 'pglite'; pglite: PGlite });

export function poolOptions(cfg: PostgresConfig): pg.PoolConfig {
  return {
    host: cfg.host,
    port: cfg.port,
    database: cfg.database,
    user: cfg.user,
    password: cfg.password,
    max: cfg.poolMax,
    min: cfg.poolMin,
    idleTimeoutMillis: cfg.idleTimeoutMs,
    connectionTimeoutMillis: cfg.connectTimeoutMs,
    statement_timeout: cfg.statementTimeoutMs,
    application_name: 'mocks-booking',
  };
}

function createPool(options: pg.PoolConfig, name: string, log: ErrorSink): pg.Pool {
  const pool = new pg.Pool(options);
  // An idle client losing its server emits here; unhandled, that would kill the process.
  pool.on('error', (err) => log.error({ err, pool: name }, 'postgres pool: idle client error'));
  return pool;
}

export function openPostgres(cfg: PostgresConfig, log: ErrorSink): DatabaseHandle {
  const pool = createPool(poolOptions(cfg), 'main', log);
  const bookingPool = createPool({ ...poolOptions(cfg), max: cfg.bookingPoolMax, min: 0 }, 'booking', log);
  return {
    mode: 'postgres',
    pool,
    db: drizzlePg({ client: pool, schema }) as unknown as Database,
    bookingDb: drizzlePg({ client: bookingPool, schema }) as unknown as Database,
    close: async () => {
      await Promise.all([pool.end(), bookingPool.end()]);
    },
  };
}

export async function openPglite(cfg: PgliteConfig): Promise<DatabaseHandle> {
  mkdirSync(cfg.dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir: cfg.dataDir });
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Database;
  // One embedded connection serves everything; PGlite runs one transaction at a time anyway.
  return { mode: 'pglite', db, bookingDb: db, pglite, close: () => pglite.close() };
}

export function openDatabase(cfg: PostgresConfig | PgliteConfig, log: ErrorSink): Promise<DatabaseHandle> {
  return cfg.kind === 'postgres' ? Promise.resolve(openPostgres(cfg, log)) : openPglite(cfg);
}
