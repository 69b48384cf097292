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

export type DatabaseHandle =
  | { mode: 'postgres'; db: Database; pool: pg.Pool; close(): Promise<void> }
  | { mode: 'pglite'; db: Database; pglite: PGlite; close(): Promise<void> };

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

export function openPostgres(cfg: PostgresConfig, log: ErrorSink): DatabaseHandle {
  const pool = new pg.Pool(poolOptions(cfg));
  // An idle client losing its server emits here; unhandled, that would kill the process.
  pool.on('error', (err) => log.error({ err }, 'postgres pool: idle client error'));
  const db = drizzlePg({ client: pool, schema }) as unknown as Database;
  return { mode: 'postgres', db, pool, close: () => pool.end() };
}

export async function openPglite(cfg: PgliteConfig): Promise<DatabaseHandle> {
  mkdirSync(cfg.dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir: cfg.dataDir });
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Database;
  return { mode: 'pglite', db, pglite, close: () => pglite.close() };
}

export function openDatabase(cfg: PostgresConfig | PgliteConfig, log: ErrorSink): Promise<DatabaseHandle> {
  return cfg.kind === 'postgres' ? Promise.resolve(openPostgres(cfg, log)) : openPglite(cfg);
}
