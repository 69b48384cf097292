import { readFileSync } from 'node:fs';
import { Agent, get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../client/src';
import { type ChildServer, PRODUCTION_ARGS, startChildServer, waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import { buildRelease, type Release } from './helpers/release';

let database: TestDatabase;
let release: Release;
const redisPrefix = uniqueRedisPrefix();
beforeAll(async () => {
  // The production artefact: `npm run build` output beside a node_modules without tsx and typescript.
  [database, release] = await Promise.all([createTestDatabase(), buildRelease()]);
}, 180_000);
afterAll(async () => {
  release?.remove();
  await database.drop();
  await deleteKeys(redisPrefix);
});

const healthStatus = async (url: string) => (await fetch(`${url}/api/health`)).status;

describe('graceful shutdown of the production command (node dist/server/main.js) on SIGTERM', () => {
  let server: ChildServer;

  it('turns health 503 at once, finishes the request in flight, closes everything and exits 0', async () => {
    server = await startChildServer(
      {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        DB_SSL_MODE: 'disable',
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: redisPrefix,
        SESSION_SECRET: 'a-test-session-secret-of-32-characters-or-more',
        SHUTDOWN_DRAIN_DELAY_MS: '1500',
        LOG_LEVEL: 'info',
      },
      30_000,
      { release: release.root },
    );
    // The signal goes to exactly the process the unit starts: node on the build, nothing in between.
    const cmdline = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline).toEqual([process.execPath, ...PRODUCTION_ARGS]);
    await waitFor(async () => (await healthStatus(server.url)) === 200, 'health 200');

    // Hold an exclusive lock on the sessions table so a listing request blocks inside Postgres:
    // a real request in flight when the signal arrives, with no test hook in the service.
    const blocker = await database.connect();
    await blocker.query('begin');
    await blocker.query('lock table hubspot_mock_exams in access exclusive mode');
    await blocker.query(
      "insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time) values ('in-flight', 'Mini-mock', '2031-01-01', now() + interval '3 days')",
    );

    const client = createClient({ url: `${server.url}/api/trpc` });
    const inFlight = client.exams.available.query();
    await waitFor(async () => {
      const { rows } = await blocker.query(
        "select count(*)::int as n from pg_locks where relation = 'hubspot_mock_exams'::regclass and not granted",
      );
      return rows[0].n > 0;
    }, 'the request to wait on the table lock');

    server.process.kill('SIGTERM');
    await waitFor(async () => (await healthStatus(server.url)) === 503, 'health 503 while draining', 1_000);
    const draining = (await (await fetch(`${server.url}/api/health`)).json()) as { status: string };
    expect(draining.status).toBe('draining');
    // Answers given while draining close their keep-alive connection, so none outlives the drain.
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) =>
      httpGet(`${server.url}/api/health`, { agent: new Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject),
    );
    expect(headers.connection).toBe('close');

    await blocker.query('commit');
    await blocker.end();
    const rows = await inFlight;
    expect(rows.map((r) => r.examId)).toEqual(['in-flight']);

    expect(await server.exited).toBe(0);
    const messages = server.logs.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['shutdown: draining', 'shutdown: complete']));
    expect(messages.indexOf('shutdown: complete')).toBeGreaterThan(messages.indexOf('shutdown: draining'));

    // No longer accepting: the port is closed.
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it('leaves no connection of its own behind in Postgres', async () => {
    const client = await database.connect();
    const { rows } = await client.query(
      "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'mocks-booking'",
      [database.name],
    );
    await client.end();
    expect(rows[0].n).toBe(0);
  });
});
