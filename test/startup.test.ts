import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runServerProcess, startChildServer } from './helpers/childServer';
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

describe('listening', () => {
  it('a taken port: one sentence saying so and how to choose another, exit 1, no stack', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    try {
      const server = runServerProcess({ ...baseEnv(), PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toContain(`Port ${port} is already in use on 127.0.0.1`);
      expect(server.stderr()).toContain(`PORT=${port + 1} npm start`);
      expect(server.stderr()).not.toMatch(/\n\s+at /);
      expect(server.stderr()).not.toContain('EADDRINUSE');
    } finally {
      squatter.close();
    }
  });

  it('the "listening" line shows the real bind address: 0.0.0.0 is all interfaces', async () => {
    const server = await startChildServer({ ...baseEnv(), HOST: '0.0.0.0' });
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const line = server.logs.find((l) => l.msg === 'listening');
    expect(line).toMatchObject({ address: '0.0.0.0', interfaces: 'all', port: expect.any(Number) });
    expect(line?.url).toBe(`http://127.0.0.1:${line?.port}`);
  });

  it('LOG_FORMAT=pretty writes readable lines (pino-pretty), not JSON', async () => {
    const server = runServerProcess({ ...baseEnv(), LOG_FORMAT: 'pretty', NODE_ENV: 'development' });
    let stdout = '';
    server.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await expect.poll(() => stdout, { timeout: 20_000 }).toMatch(/listening/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const line = stdout.split('\n').find((l) => l.includes('listening'))!;
    expect(line).toMatch(/INFO/);
    expect(() => JSON.parse(line)).toThrow();
  });

  it('production refuses LOG_FORMAT=pretty (the CloudWatch metric filters read JSON)', async () => {
    const server = runServerProcess({
      ...baseEnv(),
      NODE_ENV: 'production',
      LOG_FORMAT: 'pretty',
      SESSION_SECRET: 'x'.repeat(32),
    });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('LOG_FORMAT: "pretty" is for development');
  });
});
