import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { DatabaseHandle } from '../../db/client';
import { migrationsFolder } from '../../db/migrate';
import * as schema from '../../db/schema';
import type { Config, PostgresConfig } from '../../server/config';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { CheckFailure, type Outcome } from './check';

const MIN_SERVER_VERSION_NUM = 140_000;

/** One connection made exactly as the service makes its connections, shared by the checks after it. */
export interface PostgresSession {
  handle: DatabaseHandle;
  client: pg.PoolClient;
  close(): Promise<void>;
}

// The pool reports idle-client errors here; doctor holds one connection and reports through checks.
const quiet = { error: () => undefined };

export async function connectPostgres(config: Config, onOpen: (session: PostgresSession) => void): Promise<Outcome> {
  const cfg = config.database as PostgresConfig;
  // The service's own path: credential source (env, secret, IAM) + tlsOptions(DB_SSL_MODE/DB_SSL_CA).
  const handle = await openConfiguredDatabase(config, quiet);
  if (handle.mode !== 'postgres') throw new Error('unreachable: a Postgres configuration opened an embedded database');
  let client: pg.PoolClient;
  try {
    client = await handle.pool.connect();
  } catch (err) {
    void handle.close().catch(() => undefined);
    throw err;
  }
  onOpen({
    handle,
    client,
    async close() {
      client.release();
      await handle.close();
    },
  });
  const { rows } = await client.query<{ user: string; database: string; tls: string | null }>(
    `select current_user as "user", current_database() as "database",
            (select case when ssl then version end from pg_stat_ssl where pid = pg_backend_pid()) as tls`,
  );
  const row = rows[0]!;
  const at = `${row.user}@${client.host}:${client.port}/${row.database}`;
  const mode = cfg.ssl.mode;
  if (mode === 'verify-full')
    return {
      detail: `${at}, ${row.tls}, certificate and host name verified (CA: ${cfg.ssl.caPath ?? 'system store'})`,
    };
  if (mode === 'require') {
    return {
      detail: `${at}, ${row.tls ?? 'TLS'} without certificate verification (DB_SSL_MODE=require)`,
      warning: {
        cause:
          'Encrypted, but the server certificate is not checked (the operator chose DB_SSL_MODE=require): whoever can intercept the traffic can impersonate the database.',
        fix: 'Use DB_SSL_MODE=verify-full with DB_SSL_CA=/path/to/global-bundle.pem (the RDS global bundle) and DB_HOST the RDS endpoint.',
      },
    };
  }
  const plain = `${at}, no TLS (DB_SSL_MODE=disable)`;
  if (config.env !== 'production') return { detail: plain };
  return {
    detail: plain,
    warning: {
      cause: 'Production traffic to the database is not encrypted.',
      fix: 'Set DB_SSL_MODE=verify-full and DB_SSL_CA=/path/to/global-bundle.pem (the RDS global bundle).',
    },
  };
}

export async function checkServerVersion(client: pg.PoolClient): Promise<Outcome> {
  const { rows } = await client.query<{ num: string; version: string }>(
    `select current_setting('server_version_num') as num, current_setting('server_version') as version`,
  );
  const { num, version } = rows[0]!;
  if (Number(num) < MIN_SERVER_VERSION_NUM)
    throw new CheckFailure('POSTGRES_TOO_OLD', `PostgreSQL ${version}; 14 or newer is required`);
  return { detail: `PostgreSQL ${version}; 14 or newer required` };
}

interface JournalEntry {
  tag: string;
  when: number;
}

export function committedMigrations(folder = migrationsFolder): JournalEntry[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/**
 * Drizzle records each applied migration in drizzle.__drizzle_migrations with created_at = the
 * journal entry's `when`, and applies only entries newer than the newest row: compare the same way.
 */
export async function checkMigrations(client: pg.PoolClient, committed = committedMigrations()): Promise<Outcome> {
  const { rows: present } = await client.query<{ exists: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
  );
  const { rows } = present[0]!.exists
    ? await client.query<{ created_at: string }>('select created_at from drizzle.__drizzle_migrations')
    : { rows: [] };
  const applied = new Set(rows.map((r) => Number(r.created_at)));
  const newestApplied = Math.max(0, ...applied);
  const pending = committed.filter((m) => !applied.has(m.when));
  const unreachable = pending.filter((m) => m.when <= newestApplied);
  if (unreachable.length > 0) {
    throw new CheckFailure(
      'MIGRATIONS_OUT_OF_ORDER',
      `committed but older than the newest applied migration: ${unreachable.map((m) => m.tag).join(', ')}`,
    );
  }
  if (pending.length > 0) {
    throw new CheckFailure(
      'PENDING_MIGRATIONS',
      `${pending.length} of ${committed.length} migrations pending: ${pending.map((m) => m.tag).join(', ')}`,
    );
  }
  const latest = committed.at(-1)?.tag ?? 'none';
  const unknown = [...applied].filter((when) => !committed.some((m) => m.when === when));
  const detail = `all ${committed.length} applied (latest ${latest})`;
  if (unknown.length === 0) return { detail };
  return {
    detail: `${detail}; the database also has ${unknown.length} migration(s) this release does not know`,
    warning: {
      cause: 'A newer release has migrated this database; this release may not understand its schema.',
      fix: 'Deploy the release that ran those migrations (or newer); never roll back the code past a migration without checking it is backward compatible.',
    },
  };
}

/** The tables of db/schema, by the names the live database and the HubSpot sync rely on. */
const serviceTables = (): string[] => Object.values(schema).flatMap((v) => (is(v, PgTable) ? [getTableName(v)] : []));

export async function checkTables(client: pg.PoolClient, tables = serviceTables()): Promise<Outcome> {
  const { rows } = await client.query<{ name: string; exists: boolean }>(
    'select t as name, to_regclass(quote_ident(t)) is not null as exists from unnest($1::text[]) as t',
    [tables],
  );
  const missing = rows.filter((r) => !r.exists).map((r) => r.name);
  if (missing.length > 0) throw new CheckFailure('MISSING_TABLES', `missing: ${missing.join(', ')}`);
  return { detail: tables.join(', ') };
}
