import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config';
import { runServerProcess } from './helpers/childServer';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the embedded database and in-process store with nothing set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.data/pglite' });
    expect(config.redis).toEqual({ kind: 'memory' });
    expect(config.keepAliveTimeoutMs).toBeGreaterThan(60_000);
  });

  it('splits DATABASE_URL into fields, keeping a password with any characters intact', () => {
    const password = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';
    const config = loadConfig({
      DATABASE_URL: `postgres://app:${encodeURIComponent(password)}@db.internal:6543/booking`,
    });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      host: 'db.internal',
      port: 6543,
      database: 'booking',
      user: 'app',
      password,
    });
  });

  it('takes DB_* parts and pool settings when there is no DATABASE_URL', () => {
    const config = loadConfig({
      DB_HOST: 'rds.local',
      DB_PORT: '5433',
      DB_NAME: 'mocks',
      DB_USER: 'svc',
      DB_PASSWORD: 'p"w d',
      DB_POOL_MAX: '20',
      DB_POOL_MIN: '2',
    });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      host: 'rds.local',
      port: 5433,
      database: 'mocks',
      user: 'svc',
      password: 'p"w d',
      poolMax: 20,
      poolMin: 2,
    });
  });

  it('keeps every booking connection open when idle unless DB_BOOKING_POOL_MIN says fewer', () => {
    const pools = (env: Record<string, string>) => {
      const { database } = loadConfig({ DATABASE_URL: 'postgres://app@db.internal/booking', ...env });
      if (database.kind !== 'postgres') throw new Error('expected postgres');
      return { max: database.bookingPoolMax, min: database.bookingPoolMin };
    };
    expect(pools({})).toEqual({ max: 10, min: 10 });
    expect(pools({ DB_BOOKING_POOL_MAX: '4' })).toEqual({ max: 4, min: 4 });
    expect(pools({ DB_BOOKING_POOL_MIN: '0' })).toEqual({ max: 10, min: 0 });
    expect(pools({ DB_BOOKING_POOL_MIN: '' })).toEqual({ max: 10, min: 10 });
  });

  it('takes Redis from REDIS_URL (rediss:// means TLS) or from its parts', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://:s%40cret@cache.local:6380' }).redis).toMatchObject({
      kind: 'redis',
      host: 'cache.local',
      port: 6380,
      password: 's@cret',
      tls: true,
    });
    expect(loadConfig({ REDIS_HOST: 'cache', REDIS_TLS: 'true', REDIS_PASSWORD: 'x' }).redis).toMatchObject({
      kind: 'redis',
      host: 'cache',
      port: 6379,
      tls: true,
      password: 'x',
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX'],
    [{ DB_POOL_MIN: '5', DB_POOL_MAX: '2' }, 'DB_POOL_MIN'],
    [{ DB_BOOKING_POOL_MIN: '5', DB_BOOKING_POOL_MAX: '2' }, 'DB_BOOKING_POOL_MIN'],
    [{ DB_BOOKING_POOL_MIN: '-1' }, 'DB_BOOKING_POOL_MIN'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '5000' }, 'KEEP_ALIVE_TIMEOUT_MS'],
    [{ HEALTH_TIMEOUT_MS: '-1' }, 'HEALTH_TIMEOUT_MS'],
    [{ SESSION_SECRET: 'too-short' }, 'SESSION_SECRET'],
    [{ SESSION_COOKIE_SAMESITE: 'none' }, 'SESSION_COOKIE_SAMESITE'],
    [{ LOGIN_RATE_LIMIT_PER_IP: '0' }, 'LOGIN_RATE_LIMIT_PER_IP'],
    [{ BOOKING_LOCK_WAIT_MS: 'soon' }, 'BOOKING_LOCK_WAIT_MS'],
    [{ CANCELLATION_CUTOFF_HOURS: '-2' }, 'CANCELLATION_CUTOFF_HOURS'],
  ])('rejects %j naming %s', (env, variable) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('never echoes a password in an error', () => {
    const problems = problemsOf({
      DB_PASSWORD: 'hunter2',
      PORT: 'x',
      DATABASE_URL: 'http://u:hunter2@h/d',
      SESSION_SECRET: 'hunter2',
    });
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses to run production on the embedded database or per-process locks', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: required when NODE_ENV=production/),
      expect.stringMatching(/^REDIS_URL: required when NODE_ENV=production/),
      expect.stringMatching(/^SESSION_SECRET: required when NODE_ENV=production/),
    ]);
    const secret = 'x'.repeat(32);
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', SESSION_SECRET: secret })).toEqual([
      expect.stringMatching(/^REDIS_URL/),
    ]);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://a@b/c',
        REDIS_URL: 'redis://r',
        SESSION_SECRET: secret,
      }),
    ).not.toThrow();
  });

  it('a bad value stops `npm start` with exit 1 and a message naming the variable, no stack trace', async () => {
    const server = runServerProcess({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('PORT:');
    expect(server.stderr()).toContain('"eighty"');
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });

  it('production without a database stops with exit 1 instead of starting embedded', async () => {
    const server = runServerProcess({ NODE_ENV: 'production' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('DATABASE_URL: required when NODE_ENV=production');
  });
});
