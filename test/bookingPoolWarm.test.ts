import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { loadConfig } from '../server/config';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { createTestDatabase, type TestDatabase } from './helpers/database';

/**
 * The booking pool's connections outlive the idle timeout (DB_BOOKING_POOL_MIN, by default all of
 * them), so a release after a quiet spell books on warm backends; the main pool still lets idle ones
 * go (DB_POOL_MIN 0). Counted by Postgres itself, as an operator would (pg_stat_activity).
 */
const IDLE_TIMEOUT_MS = 200;
let database: TestDatabase;
let admin: pg.Client;
const opened: DatabaseHandle[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  admin = await database.connect();
});
afterAll(async () => {
  await Promise.all(opened.map((h) => h.close()));
  await admin?.end();
  await database?.drop();
});

async function open(env: Record<string, string>): Promise<DatabaseHandle & { mode: 'postgres' }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DB_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
    DB_MIGRATE_ON_START: 'false',
    ...env,
  });
  const handle = await openConfiguredDatabase(config, createLogger('silent'));
  opened.push(handle);
  if (handle.mode !== 'postgres') throw new Error('expected postgres');
  return handle;
}

/** Holds `n` connections of `pool` at once (each query waits for the others), then gives them back. */
async function busy(pool: pg.Pool, n: number, tag: string) {
  await Promise.all(Array.from({ length: n }, () => pool.query(`select pg_sleep(0.1), '${tag}' as tag`)));
}

/** This database's backends that last ran a query tagged `tag`, open or idle. */
const backends = async (tag: string) =>
  (
    await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and query like $1`,
      [`%'${tag}' as tag%`],
    )
  ).rows[0]!.n;

describe('booking pool connections when idle', () => {
  it('by default, every booking connection opened stays open past the idle timeout; the main pool lets its go', async () => {
    const handle = await open({ DB_BOOKING_POOL_MAX: '4', DB_POOL_MAX: '4' });
    await busy(handle.pools.booking, 4, 'booking-default');
    await busy(handle.pools.main, 4, 'main-default');
    expect(await backends('booking-default')).toBe(4);
    expect(await backends('main-default')).toBe(4);
    await sleep(IDLE_TIMEOUT_MS * 4);
    expect(await backends('booking-default')).toBe(4);
    expect(await backends('main-default')).toBe(0);
    expect(handle.pools.booking.totalCount).toBe(4);
  });

  it('DB_BOOKING_POOL_MIN keeps that many and closes the rest', async () => {
    const handle = await open({ DB_BOOKING_POOL_MAX: '4', DB_BOOKING_POOL_MIN: '1' });
    await busy(handle.pools.booking, 4, 'booking-min-1');
    expect(await backends('booking-min-1')).toBe(4);
    await sleep(IDLE_TIMEOUT_MS * 4);
    expect(await backends('booking-min-1')).toBe(1);
    expect(handle.pools.booking.totalCount).toBe(1);
  });
});
