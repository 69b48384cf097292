import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChildServer } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';

let database: TestDatabase;
const redisPrefix = uniqueRedisPrefix();
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  await deleteKeys(redisPrefix);
});

const baseEnv = () => ({
  DATABASE_URL: database.url,
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: redisPrefix,
  SHUTDOWN_DRAIN_DELAY_MS: '0',
});

async function startupWarnings(env: Record<string, string>): Promise<string[]> {
  const server = await startChildServer(env);
  server.process.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  return server.logs.filter((l) => l.level === 40).map((l) => String(l.msg));
}

describe('start-up warnings', () => {
  it('warns when Redis is shared and no SESSION_SECRET is set: instances would reject each other’s tokens', async () => {
    const warnings = await startupWarnings(baseEnv());
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SESSION_SECRET is not set while Redis is shared.*reject its tokens/),
      ]),
    );
  });

  it('says nothing of it when SESSION_SECRET is set', async () => {
    const warnings = await startupWarnings({ ...baseEnv(), SESSION_SECRET: 'x'.repeat(32) });
    expect(warnings.filter((w) => w.includes('SESSION_SECRET'))).toEqual([]);
  });
});
