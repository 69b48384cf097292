import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { withAdvisoryLock } from './advisoryLock';
import type { DatabaseHandle } from './client';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Arbitrary but fixed key of the advisory lock that serializes migrators: two instances starting at
 * once must not both try to create the same tables. ("mocksbkg" as an int8.)
 */
const MIGRATION_LOCK_KEY = 0x6d6f636b73626b67n;

/** drizzle's own record of applied migrations; absent before the first one. */
const MIGRATIONS_TABLE_EXISTS = `select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
const COUNT_APPLIED = 'select count(*)::int as n from drizzle.__drizzle_migrations';

type Query = (sql: string) => Promise<{ rows: unknown[] }>;
/** How many migrations the database has applied (two statements: the count cannot parse without the table). */
async function appliedCount(query: Query): Promise<number> {
  const present = ((await query(MIGRATIONS_TABLE_EXISTS)).rows[0] as { present: boolean } | undefined)?.present;
  return present ? (((await query(COUNT_APPLIED)).rows[0] as { n: number } | undefined)?.n ?? 0) : 0;
}

/**
 * Applies every committed migration not yet applied; safe to run on every start and concurrently.
 * Returns how many it applied (0: the database was already up to date).
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<number> {
  if (handle.mode === 'pglite') {
    // One process owns a PGlite data directory (its lock file says so), so there is no one to race with.
    const count = () => appliedCount((sql) => handle.pglite.query(sql));
    const before = await count();
    await migratePglite(drizzlePglite({ client: handle.pglite }), { migrationsFolder });
    return (await count()) - before;
  }
  return withAdvisoryLock(handle.pool, MIGRATION_LOCK_KEY, async (client) => {
    const query = (sql: string) => client.query(sql);
    const before = await appliedCount(query);
    await migratePg(drizzlePg({ client }), { migrationsFolder });
    return (await appliedCount(query)) - before;
  });
}
