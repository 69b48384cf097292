import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openPostgres } from '../db/client';
import { migrateDatabase, migrationsFolder } from '../db/migrate';
import { loadConfig } from '../server/config';
import { createTestDatabase, type TestDatabase } from './helpers/database';

const opened: Array<DatabaseHandle | TestDatabase> = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await ('drop' in thing ? thing.drop() : thing.close());
});

async function emptyDatabase() {
  const database = await createTestDatabase({ migrated: false });
  opened.push(database);
  return database;
}

function handleFor(url: string): DatabaseHandle {
  const cfg = loadConfig({ DATABASE_URL: url }).database;
  if (cfg.kind !== 'postgres') throw new Error('expected postgres config');
  const handle = openPostgres(cfg, console);
  opened.push(handle);
  return handle;
}

const committedMigrations = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;

describe('migrations', () => {
  it('apply to an empty database: the tables, their indexes and constraints exist', async () => {
    const database = await emptyDatabase();
    await migrateDatabase(handleFor(database.url));

    const client = await database.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'hubspot_bookings',
          'hubspot_contact_credits',
          'hubspot_mock_exams',
          'legacy_audit_log',
          'sync_metadata',
        ]),
      );
      const indexes = await client.query<{ indexname: string }>(
        "select indexname from pg_indexes where schemaname = 'public'",
      );
      expect(indexes.rows.map((r) => r.indexname)).toEqual(
        expect.arrayContaining([
          'idx_bookings_contact',
          'idx_bookings_exam',
          'idx_bookings_date',
          'idx_exams_date',
          'idx_exams_active',
          'idx_contacts_email',
          'idx_contacts_student',
          'hubspot_bookings_one_active_per_contact_exam',
        ]),
      );
      const timestampTypes = await client.query<{ data_type: string }>(
        "select distinct data_type from information_schema.columns where table_schema = 'public' and column_name in ('start_time','end_time','created_at','updated_at','synced_at','scheduled_activation_datetime')",
      );
      expect(timestampTypes.rows).toEqual([{ data_type: 'timestamp with time zone' }]);
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBe(committedMigrations);
    } finally {
      await client.end();
    }
  });

  it('are idempotent: a second run applies nothing and changes nothing', async () => {
    const database = await emptyDatabase();
    const handle = handleFor(database.url);
    await migrateDatabase(handle);
    const client = await database.connect();
    try {
      await client.query(
        "insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date) values ('keep-me', 'Mini-mock', '2030-01-01')",
      );
      await migrateDatabase(handle);
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBe(committedMigrations);
      const kept = await client.query("select count(*)::int as n from hubspot_mock_exams where hubspot_id = 'keep-me'");
      expect(kept.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('two instances migrating the same empty database at once both succeed (advisory lock)', async () => {
    const database = await emptyDatabase();
    const instances = [handleFor(database.url), handleFor(database.url), handleFor(database.url)];
    await Promise.all(instances.map((handle) => migrateDatabase(handle)));

    const client = await database.connect();
    try {
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBe(committedMigrations);
      const locks = await client.query("select count(*)::int as n from pg_locks where locktype = 'advisory'");
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
