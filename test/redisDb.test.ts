import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config';
import { startService } from '../server/runtime/service';
import { runDoctorCli } from './helpers/doctorCli';
import { insertContact } from './helpers/factories';
import { uniqueRedisPrefix } from './helpers/redis';
import { createSharedResources, useTestService } from './helpers/service';

/** A db number no other test uses, so keys found there can only be this file's. */
const DB = 12;
const withDb = (db: number) => `${inject('redisUrl')}/${db}`;

/** The keys under `prefix` in Redis database `db`. */
async function keysIn(db: number, prefix: string): Promise<string[]> {
  const redis = new Redis(`${inject('redisUrl')}/${db}`);
  try {
    return await redis.keys(`${prefix}*`);
  } finally {
    redis.disconnect();
  }
}

async function deleteIn(db: number, prefix: string) {
  const redis = new Redis(`${inject('redisUrl')}/${db}`);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('the Redis database number', () => {
  it('comes from the REDIS_URL path, else REDIS_DB, else 0', () => {
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/12' }).redis).toMatchObject({ db: 12 });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/', REDIS_DB: '3' }).redis).toMatchObject({ db: 3 });
    expect(loadConfig({ REDIS_HOST: 'cache', REDIS_DB: '4' }).redis).toMatchObject({ db: 4 });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).redis).toMatchObject({ db: 0 });
  });

  it.each([
    [{ REDIS_URL: 'redis://cache:6379/abc' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://cache:6379/2', REDIS_DB: '3' }, 'REDIS_DB'],
    [{ REDIS_HOST: 'cache', REDIS_DB: '-1' }, 'REDIS_DB'],
  ])('refuses %j naming %s', (env, variable) => {
    const err = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(new RegExp(`^${variable}: `, 'm'));
  });

  describe('a service on REDIS_URL=…/12', () => {
    const s = useTestService({ REDIS_URL: withDb(DB) });
    afterAll(async () => {
      await deleteIn(DB, s.redisPrefix);
    });

    it('writes its keys (login rate limits here) to db 12 and none to db 0', async () => {
      const contact = await insertContact(s.db);
      await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
      expect(await keysIn(DB, s.redisPrefix)).toContainEqual(expect.stringContaining('ratelimit:login:'));
      expect(await keysIn(0, s.redisPrefix)).toEqual([]);
    });
  });

  it('is named in the start-up "listening" line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const shared = await createSharedResources();
    const service = await startService(
      loadConfig({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: shared.database.url,
        REDIS_URL: withDb(DB),
        REDIS_KEY_PREFIX: shared.redisPrefix,
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      }),
      pino({ level: 'info' }, sink),
    );
    try {
      const listening = lines
        .map((l) => JSON.parse(l) as { msg: string; redis?: string })
        .find((l) => l.msg === 'listening');
      expect(listening?.redis).toMatch(/:\d+ db 12$/);
    } finally {
      await service.shutdown('test finished');
      await shared.release();
    }
  });

  it('is shown by doctor', async () => {
    const run = await runDoctorCli({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: withDb(DB),
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    });
    expect(run.checks.get('redis')?.text).toMatch(/:\d+ db 12\b/);
  }, 60_000);
});
