import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { DatabaseHandle } from './client';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Arbitrary but fixed key of the advisory lock that serializes migrators: two instances starting at
 * once must not both try to create the same tables. ("mocksbkg" as an int8.)
 */
const MIGRATION_LOCK_KEY = 0x6d6f636b73626b67n;

/** Applies every committed migration not yet applied; safe to run on every start and concurrently. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.mode === 'pglite') {
    // One process owns a PGlite data directory, so there is no one to race with.
    await migratePglite(drizzlePglite({ client: handle.pglite }), { migrationsFolder });
    return;
  }
  const client = await handle.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await migratePg(drizzlePg({ client }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}
