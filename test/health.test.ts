import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../client/src';
import type { HealthReport } from '../server/runtime/health';
import { startBlackHole } from './helpers/blackHole';
import { type ChildServer, startChildServer } from './helpers/childServer';
import { createTestDatabase } from './helpers/database';
import { DEAD_PORT, uniqueRedisPrefix } from './helpers/redis';
import { startTestService, type TestService } from './helpers/service';
import { startTcpProxy } from './helpers/tcpProxy';

const started: TestService[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

async function serve(env: Record<string, string> = {}, options?: { waitForDatabase?: boolean }) {
  const s = await startTestService(env, options);
  started.push(s);
  return s;
}

async function health(url: string, path = '/api/health'): Promise<{ status: number; body: HealthReport }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: (await res.json()) as HealthReport };
}

/**
 * The driver's message from the first `health: unhealthy` log line ('' until there is one: the line
 * can reach the pipe a moment after the answer reached the test).
 */
function loggedDatabaseError(server: ChildServer): string {
  const line = server.logs.find((l) => l.msg === 'health: unhealthy') as
    | { health: { database: { error?: string } } }
    | undefined;
  return line?.health.database.error ?? '';
}

/** The strict readiness view, by both of its spellings. */
async function readiness(url: string): Promise<number[]> {
  return [(await health(url, '/api/ready')).status, (await health(url, '/api/health?strict=1')).status];
}

let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
beforeAll(async () => {
  blackHole = await startBlackHole();
});
afterAll(() => blackHole.close());

describe('GET /api/health', () => {
  it('answers 200 with both dependencies up and the version', async () => {
    const s = await serve();
    const { status, body } = await health(s.url);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'healthy',
      database: { status: 'up', mode: 'postgres' },
      redis: { status: 'up', mode: 'redis' },
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(await readiness(s.url)).toEqual([200, 200]);
  });

  it('stays 200 "degraded" naming Redis when Redis is unreachable (bookings run on Postgres); strict readiness is 503', async () => {
    const s = await serve({ REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}` });
    const { status, body } = await health(s.url);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.database.status).toBe('up');
    expect(body.redis).toEqual({ status: 'down', mode: 'redis', latencyMs: expect.any(Number), reason: 'unreachable' });
    expect(await readiness(s.url)).toEqual([503, 503]);
    await expect(s.client.exams.available.query()).resolves.toEqual([]);
  });

  it('answers 503 naming the database when Postgres is unreachable, with a coarse reason and no address', async () => {
    const s = await serve(
      { DATABASE_URL: `postgres://postgres@127.0.0.1:${DEAD_PORT}/nowhere` },
      { waitForDatabase: false },
    );
    const res = await fetch(`${s.url}/api/health`);
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({
      status: 'unhealthy',
      database: { status: 'down', mode: 'postgres', reason: 'unreachable' },
      redis: { status: 'up' },
    });
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|nowhere|error/);
  });

  it('answers within its timeout even when a dependency accepts connections and never replies', async () => {
    const s = await serve(
      {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${blackHole.port}/nowhere`,
        HEALTH_TIMEOUT_MS: '300',
        DB_CONNECT_TIMEOUT_MS: '60000',
        SHUTDOWN_TIMEOUT_MS: '500',
      },
      { waitForDatabase: false },
    );
    const { status, body } = await health(s.url);
    expect(status).toBe(503);
    expect(body.database).toMatchObject({ status: 'down', reason: 'timeout' });
  });

  it('goes "degraded" (still 200) when Redis goes away at run time and back to "healthy" when it returns, without a restart', async () => {
    const redisPort = Number(new URL(inject('redisUrl')).port || 6379);
    const proxy = await startTcpProxy(redisPort);
    try {
      const s = await serve({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      await expect.poll(async () => (await health(s.url)).status, { timeout: 10_000 }).toBe(200);

      await proxy.stop();
      await expect.poll(async () => (await health(s.url)).body.redis.status, { timeout: 10_000 }).toBe('down');
      expect(await health(s.url)).toMatchObject({ status: 200, body: { status: 'degraded' } });
      await expect(s.client.exams.available.query()).resolves.toEqual([]);

      await proxy.start();
      await expect.poll(async () => (await health(s.url)).body.status, { timeout: 10_000 }).toBe('healthy');
    } finally {
      await proxy.close();
    }
  });

  it('starts with Postgres unreachable (503, no crash), and turns 200 once it is reachable, without a restart', {
    timeout: 60_000,
  }, async () => {
    const pgPort = Number(new URL(inject('postgresAdminUrl')).port || 5432);
    const proxy = await startTcpProxy(pgPort);
    await proxy.stop(); // keeps the port: nothing listens there until start()
    const target = await createTestDatabase();
    const server = await startChildServer({
      DATABASE_URL: target.url.replace(`:${pgPort}/`, `:${proxy.port}/`),
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    try {
      const down = await health(server.url);
      expect(down.status).toBe(503);
      expect(down.body.database).toMatchObject({
        status: 'down',
        reason: expect.stringMatching(/unreachable|not ready/),
      });
      // The driver's words are in the log, where the credential alarm's metric filter reads them.
      await expect
        .poll(() => loggedDatabaseError(server), { timeout: 5_000 })
        .toMatch(/ECONNREFUSED|migrations not applied/);
      await expect
        .poll(() => server.logs.filter((l) => l.msg === 'database not ready; retrying').length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      expect(server.process.exitCode).toBeNull(); // retrying, not crash-looping

      await proxy.start();
      await expect.poll(async () => (await health(server.url)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    } finally {
      server.process.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await proxy.close();
      await target.drop();
    }
  });

  it('shows "authentication failed" for a login Postgres refuses, and the role name only in the log', async () => {
    const target = await createTestDatabase();
    const asUnknownRole = new URL(target.url);
    asUnknownRole.username = 'svc_booking_ops';
    asUnknownRole.password = '';
    const server = await startChildServer({
      DATABASE_URL: asUnknownRole.toString(),
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    try {
      const res = await fetch(`${server.url}/api/health`);
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(JSON.parse(text).database).toMatchObject({ status: 'down', reason: 'authentication failed' });
      expect(text).not.toContain('svc_booking_ops');
      await expect.poll(() => loggedDatabaseError(server), { timeout: 5_000 }).toContain('svc_booking_ops');
    } finally {
      server.process.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await target.drop();
    }
  });

  it('goes 503 when Postgres goes away at run time and back to 200 when it returns', async () => {
    const pgPort = Number(new URL(inject('postgresAdminUrl')).port || 5432);
    const proxy = await startTcpProxy(pgPort);
    try {
      const probe = await createTestDatabase();
      const s = await serve({ DATABASE_URL: probe.url.replace(`:${pgPort}/`, `:${proxy.port}/`) });
      expect((await health(s.url)).status).toBe(200);

      await proxy.stop();
      const down = await health(s.url);
      expect(down.status).toBe(503);
      expect(down.body.database.status).toBe('down');
      const failed = await s.client.exams.available.query().catch((e: unknown) => e);
      expect(isAppError(failed, 'SERVICE_UNAVAILABLE')).toBe(true);
      expect((failed as { data: { httpStatus: number } }).data.httpStatus).toBe(503);

      await proxy.start();
      await expect.poll(async () => (await health(s.url)).status, { timeout: 10_000 }).toBe(200);
      await expect(s.client.exams.available.query()).resolves.toEqual([]);
      await probe.drop();
    } finally {
      await proxy.close();
    }
  });
});
