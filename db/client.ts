import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { PgliteConfig, PostgresConfig } from '../server/config';
import type { SecretReader } from '../server/secrets/secretsManager';
import { createCredentialSource, credentialedPool, type CredentialSource } from './credentials';
import * as schema from './schema';
import { tlsOptions } from './tls';

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

/** Pool settings; where and as whom to connect comes from the credential source per connection. */
export function poolOptions(cfg: PostgresConfig): pg.PoolConfig {
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
  const pool = credentialedPool(pg.Pool, pg.Client, options, source);
  // An idle client losing its server emits here; unhandled, that would kill the process.
  pool.on('error', (err) => log.error({ err, pool: name }, 'postgres pool: idle client error'));
  return pool;
}

export interface CredentialDeps {
  /** Reads Secrets Manager secrets; needed when the config names a database secret. */
  readSecret?: SecretReader | undefined;
  region?: string | undefined;
}

export function openPostgres(cfg: PostgresConfig, log: ErrorSink, deps: CredentialDeps = {}): DatabaseHandle {
  if (cfg.secretId && !deps.readSecret) throw new Error('a database secret is configured but no secret reader was given');
  const source = createCredentialSource(cfg, deps);
  const pool = createPool(poolOptions(cfg), source, 'main', log);
  const bookingPool = createPool({ ...poolOptions(cfg), max: cfg.bookingPoolMax, min: 0 }, source, 'booking', log);
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

export function openDatabase(cfg: PostgresConfig | PgliteConfig, log: ErrorSink, deps: CredentialDeps = {}): Promise<DatabaseHandle> {
  return cfg.kind === 'postgres' ? Promise.resolve(openPostgres(cfg, log, deps)) : openPglite(cfg);
}
