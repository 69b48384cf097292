import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../client/src';
import { runServerProcess, startChildServer, waitFor } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { insertContact, insertExam } from './helpers/factories';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import {
  FAKE_AWS_ENV,
  type SecretsManagerEndpoint,
  startSecretsManagerEndpoint,
} from './helpers/secretsManagerEndpoint';

// The password that broke in shell escaping during the first cutover attempt. It only ever travels
// as a JSON value from Secrets Manager to pg's password field.
const OUTAGE_PASSWORD = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';

let endpoint: SecretsManagerEndpoint;
let database: TestDatabase;
let admin: pg.Client;
const role = `mbt_app_${randomBytes(3).toString('hex')}`;
const redisPrefix = uniqueRedisPrefix();
const pgUrl = new URL(inject('postgresAdminUrl'));
const redis = new URL(inject('redisUrl'));

beforeAll(async () => {
  endpoint = await startSecretsManagerEndpoint();
  database = await createTestDatabase();
  admin = await database.connect();
  // A role of its own with that password, owning what the service needs, like the RDS app user.
  await admin.query(`create role ${role} login password ${admin.escapeLiteral(OUTAGE_PASSWORD)}`);
  await admin.query(
    `grant all on all tables in schema public to ${role}; grant usage on all sequences in schema public to ${role}; grant usage on schema public, drizzle to ${role}; grant select on all tables in schema drizzle to ${role}`,
  );
  // The job engine (pg-boss) creates and migrates its own schema at start, as the RDS app user can.
  await admin.query(`grant create on database "${database.name}" to ${role}`);
});
afterAll(async () => {
  await admin.end();
  await database.drop();
  const cleanup = await (await createTestDatabase({ migrated: false })).connect();
  await cleanup.query(`drop role if exists ${role}`).catch(() => undefined);
  await cleanup.end();
  await endpoint.close();
  await deleteKeys(redisPrefix);
});

/** Production-like settings: no DATABASE_URL or password in the environment, everything else named. */
const baseEnv = () => ({
  ...FAKE_AWS_ENV,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
  DB_HOST: pgUrl.hostname,
  DB_PORT: pgUrl.port || '5432',
  DB_NAME: database.name,
  DB_MIGRATE_ON_START: 'false',
  REDIS_HOST: redis.hostname,
  REDIS_PORT: redis.port || '6379',
  REDIS_KEY_PREFIX: redisPrefix,
  SHUTDOWN_DRAIN_DELAY_MS: '0',
});

describe('credentials from AWS Secrets Manager (the real SDK against a local endpoint)', () => {
  it('starts from the RDS-managed secret shape with the outage password, serves health 200 and books', {
    timeout: 60_000,
  }, async () => {
    endpoint.put('prod/mocks/db', { username: role, password: OUTAGE_PASSWORD });
    endpoint.put('prod/mocks/session', { secret: randomBytes(32).toString('base64url') });
    const server = await startChildServer({
      ...baseEnv(),
      DB_SECRET_ID: 'prod/mocks/db',
      SESSION_SECRET_ID: 'prod/mocks/session',
    });
    try {
      await waitFor(async () => (await fetch(`${server.url}/api/health`)).status === 200, 'health 200');
      const contact = await insertContact(admin, { cs_credits: 1 });
      const examId = await insertExam(admin);
      const url = `${server.url}/api/trpc`;
      const { token } = await createClient({ url }).auth.login.mutate({
        studentId: contact.studentId,
        email: contact.email,
      });
      const booking = await createClient({ url, getToken: () => token }).bookings.create.mutate({
        dominantHand: 'Right',
        examId,
      });
      expect(booking.examId).toBe(examId);

      // The service really connected as the secret's role, and the password appears in no log line.
      const { rows } = await admin.query(
        "select count(*)::int as n from pg_stat_activity where usename = $1 and application_name = 'mocks-booking'",
        [role],
      );
      expect(rows[0].n).toBeGreaterThan(0);
      expect(JSON.stringify(server.logs) + server.stderr()).not.toContain(OUTAGE_PASSWORD);
      expect(endpoint.reads.get('prod/mocks/session')).toBe(1);
    } finally {
      server.process.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });

  it('takes host, port and database from the full secret shape', { timeout: 60_000 }, async () => {
    endpoint.put('prod/mocks/db-full', {
      engine: 'postgres',
      host: pgUrl.hostname,
      port: Number(pgUrl.port || 5432),
      username: role,
      password: OUTAGE_PASSWORD,
      dbname: database.name,
    });
    const { DB_HOST: _host, DB_NAME: _name, ...env } = baseEnv();
    const server = await startChildServer({ ...env, DB_SECRET_ID: 'prod/mocks/db-full', DB_PORT: '1' });
    try {
      await waitFor(async () => (await fetch(`${server.url}/api/health`)).status === 200, 'health 200');
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });

  it('takes the Redis AUTH settings from REDIS_SECRET_ID', { timeout: 60_000 }, async () => {
    endpoint.put('prod/mocks/db', { username: role, password: OUTAGE_PASSWORD });
    endpoint.put('prod/mocks/redis', {
      password: 'unused-by-local-redis',
      host: redis.hostname,
      port: Number(redis.port || 6379),
    });
    const server = await startChildServer({
      ...baseEnv(),
      REDIS_HOST: 'no-such-host.invalid',
      DB_SECRET_ID: 'prod/mocks/db',
      REDIS_SECRET_ID: 'prod/mocks/redis',
    });
    try {
      // The secret's host replaced the bogus REDIS_HOST; local Redis has no password, so it answers
      // AUTH with an error that ioredis tolerates for the default user.
      await waitFor(async () => (await fetch(`${server.url}/api/health`)).status === 200, 'health 200');
      expect(endpoint.reads.get('prod/mocks/redis')).toBe(1);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });

  it.each([
    ['a secret that does not exist', 'prod/mocks/missing', () => undefined, /ResourceNotFoundException/],
    [
      'a secret the instance role may not read',
      'prod/mocks/denied',
      () => endpoint.deny('prod/mocks/denied'),
      /AccessDeniedException/,
    ],
    [
      'a session secret of the wrong shape',
      'prod/mocks/short',
      () => endpoint.put('prod/mocks/short', { secret: 'short' }),
      /32\+ characters/,
    ],
  ])(
    'stops start-up with a clear message for %s (exit 1, no stack trace)',
    async (_label, secretId, arrange, message) => {
      arrange();
      endpoint.put('prod/mocks/db', { username: role, password: OUTAGE_PASSWORD });
      const server = runServerProcess({ ...baseEnv(), DB_SECRET_ID: 'prod/mocks/db', SESSION_SECRET_ID: secretId });
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toMatch(message);
      expect(server.stderr()).toContain('npm run doctor');
      expect(server.stderr()).not.toMatch(/\n\s+at /);
    },
  );

  it('a database secret that cannot be read keeps the server up with health 503 naming it', {
    timeout: 60_000,
  }, async () => {
    const server = await startChildServer({ ...baseEnv(), DB_SECRET_ID: 'prod/mocks/db-not-yet' });
    try {
      await waitFor(async () => {
        const res = await fetch(`${server.url}/api/health`);
        const body = (await res.json()) as { database: { reason?: string } };
        return res.status === 503 && body.database.reason === 'secret unavailable';
      }, 'health 503 saying the secret is unavailable');
      // Which secret and why is for the log (and doctor), not for anyone who can reach the route.
      // The log line travels through the child's stdout pipe and may arrive after the HTTP answer.
      const loggedWhy = () =>
        (
          server.logs.filter((l) => l.msg === 'health: unhealthy') as Array<{
            health: { database: { error?: string } };
          }>
        ).some((l) => /ResourceNotFoundException/.test(l.health.database.error ?? ''));
      await waitFor(async () => loggedWhy(), 'the health log line naming ResourceNotFoundException', 5_000);
      // Created afterwards (say, the deploy ran before the secret): picked up without a restart.
      endpoint.put('prod/mocks/db-not-yet', { username: role, password: OUTAGE_PASSWORD });
      await waitFor(
        async () => (await fetch(`${server.url}/api/health`)).status === 200,
        'health 200 once the secret exists',
      );
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });
});
