import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { loadConfig } from '../server/config';
import { trackedPgBossDb } from '../server/jobs/pgBossDb';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { createTestDatabase, type TestDatabase } from './helpers/database';

/**
 * pg-boss's SQL sent on one connection (the setup lock's, engine.ts): pg-boss's cron sends queries
 * while the setup's own still run, and a pg connection must never be handed a second query before
 * the first answered (pg queues it for now, warns, and will stop in pg 9).
 */
let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = await openConfiguredDatabase(
    loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, DB_MIGRATE_ON_START: 'false' }),
    createLogger('silent'),
  );
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

describe('pg-boss SQL through one connection', () => {
  it('sends concurrent queries on it one at a time, in order, and a failed one does not hold up the next', async () => {
    if (handle.mode !== 'postgres') throw new Error('expected postgres');
    const client = await handle.pool.connect();
    try {
      const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
      let inFlight = 0;
      let mostInFlight = 0;
      const order: string[] = [];
      const watched = {
        query: async (text: string, values?: unknown[]) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          order.push(text);
          try {
            return await client.query(text, values);
          } finally {
            inFlight--;
          }
        },
      };
      const db = trackedPgBossDb(handle);
      const answers = await db.throughClient(watched, () =>
        Promise.allSettled([
          db.executeSql('select pg_sleep(0.05), pg_backend_pid() as pid', []),
          db.executeSql('select no_such_column', []),
          db.executeSql('select $1::int as n, pg_backend_pid() as pid', [2]),
        ]),
      );
      expect(mostInFlight).toBe(1);
      expect(order).toEqual([
        'select pg_sleep(0.05), pg_backend_pid() as pid',
        'select no_such_column',
        'select $1::int as n, pg_backend_pid() as pid',
      ]);
      expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const [first, , third] = answers as Array<PromiseFulfilledResult<{ rows: Array<{ pid: number; n?: number }> }>>;
      expect(first!.value.rows[0]!.pid).toBe(pid);
      expect(third!.value.rows[0]).toEqual({ n: 2, pid });
    } finally {
      client.release();
    }
  });
});
