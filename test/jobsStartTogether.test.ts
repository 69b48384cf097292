import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE_SPECS, QUEUES } from '../server/jobs/queues';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startInstance, type TestInstance } from './helpers/jobEngines';

/**
 * A deploy of several instances onto a new database starts their job engines at the same moment.
 * Each engine creates pg-boss's schema and queues if they are missing; done by all of them at once,
 * that raced: `duplicate key … pg_namespace_nspname_index` (two CREATE SCHEMA IF NOT EXISTS) or
 * `Queue … not found` (a schedule written before the other instance's queue committed): an ERROR line
 * and a retry on many such deploys. Here each engine must start at its first attempt.
 */
/** Every queue the engine defines (defineQueues), each once. */
const EXPECTED_QUEUES = [QUEUES.deadLetters, ...QUEUE_SPECS.map((q) => q.name)].sort();
/** Ours, without pg-boss's internal ones (its cron sender, `__pgboss__send-it`). */
const ourQueues = (names: string[]) => names.filter((n) => !n.startsWith('__pgboss__')).sort();

const databases: TestDatabase[] = [];
const instances: TestInstance[] = [];

afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.stop().catch(() => undefined)));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

describe('job engines of instances starting together on a new database', () => {
  it('all start at the first attempt and agree on the queues', { timeout: 120_000 }, async () => {
    // Several fresh databases: one race is a matter of timing, so each round is another chance for it.
    for (let round = 0; round < 4; round++) {
      const database = await createTestDatabase();
      databases.push(database);
      const started = await Promise.allSettled([1, 2, 3].map(() => startInstance(database.url)));
      for (const s of started) if (s.status === 'fulfilled') instances.push(s.value);
      const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(failures, `round ${round}`).toEqual([]);

      const db = await database.connect();
      try {
        const queues = await db.query<{ name: string }>('select name from pgboss.queue');
        expect(ourQueues(queues.rows.map((q) => q.name))).toEqual(EXPECTED_QUEUES);
      } finally {
        await db.end();
      }
      await Promise.all(instances.splice(0).map((i) => i.stop()));
    }
  });

  it('an instance whose pool has one connection starts too (the setup lock holds no second one)', {
    timeout: 60_000,
  }, async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const instance = await startInstance(database.url, { DB_POOL_MAX: '1' });
    instances.push(instance);
    expect(ourQueues((await instance.engine.boss.getQueues()).map((q) => q.name))).toEqual(EXPECTED_QUEUES);
  });
});
