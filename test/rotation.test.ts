import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../client/src';
import { type CredentialSource, createCredentialSource, credentialedPool } from '../db/credentials';
import { loadConfig } from '../server/config';
import { createSecretReader } from '../server/secrets/secretsManager';
import { type ChildServer, startChildServer, waitFor } from './helpers/childServer';
import { insertContact, insertExam } from './helpers/factories';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import {
  FAKE_AWS_ENV,
  type SecretsManagerEndpoint,
  startSecretsManagerEndpoint,
} from './helpers/secretsManagerEndpoint';
import { startTlsPostgres, type TlsPostgres } from './helpers/tlsPostgres';

// RDS rotates a managed secret every 7 days: the role's password changes and the secret with it,
// under a running service. This runs against a PostgreSQL that really checks passwords (scram)
// over verified TLS, with the credentials only in Secrets Manager.
const OUTAGE_PASSWORD = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';
const ROTATED_PASSWORD = 'r0tated/&"\'@:%20`~$HOME;--';

let cluster: TlsPostgres;
let endpoint: SecretsManagerEndpoint;
let role: { user: string; database: string; password: string };
let server: ChildServer;
const redisPrefix = uniqueRedisPrefix();

beforeAll(async () => {
  cluster = await startTlsPostgres();
  endpoint = await startSecretsManagerEndpoint();
  role = await cluster.createRoleWithDatabase({ password: OUTAGE_PASSWORD, migrated: true });
  endpoint.put('rds/mocks-app', { username: role.user, password: OUTAGE_PASSWORD });
  const { DB_PASSWORD: _password, DB_USER: _user, ...where } = cluster.env(role);
  server = await startChildServer({
    ...where,
    ...FAKE_AWS_ENV,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
    DB_SECRET_ID: 'rds/mocks-app',
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: redisPrefix,
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  });
}, 60_000);

afterAll(async () => {
  server?.process.kill('SIGTERM');
  await server?.exited;
  await endpoint?.close();
  await cluster?.stop();
  await deleteKeys(redisPrefix);
});

/** A connection as the application role, verified TLS, for arranging rows. */
async function asRole(password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user: role.user,
    password,
    database: role.database,
    ssl: { ca: readFileSync(cluster.caPath, 'utf8') },
  });
  await client.connect();
  return client;
}

describe('password rotation under a running service', () => {
  it('after the role and the secret change, the next new connection re-reads the secret once and succeeds', {
    timeout: 60_000,
  }, async () => {
    await waitFor(async () => (await fetch(`${server.url}/api/health`)).status === 200, 'health 200');
    const url = `${server.url}/api/trpc`;
    const rows = await asRole(OUTAGE_PASSWORD);
    const contact = await insertContact(rows, { cs_credits: 2 });
    const [before, after] = [
      await insertExam(rows, { examDate: '2032-05-01' }),
      await insertExam(rows, { examDate: '2032-05-02' }),
    ];
    await rows.end();
    const { token } = await createClient({ url }).auth.login.mutate({
      studentId: contact.studentId,
      email: contact.email,
    });
    const student = createClient({ url, getToken: () => token });
    await student.bookings.create.mutate({ dominantHand: 'Right', examId: before });
    const readsBefore = endpoint.reads.get('rds/mocks-app')!;

    // Rotation: new password on the role, new value in the secret, and every open connection gone
    // (as after a failover or idle timeout), so the pool must log in again.
    const admin = await cluster.admin();
    await admin.query(`alter role ${role.user} password ${admin.escapeLiteral(ROTATED_PASSWORD)}`);
    endpoint.put('rds/mocks-app', { username: role.user, password: ROTATED_PASSWORD });
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [role.user]);
    await admin.end();

    await expect(student.bookings.create.mutate({ dominantHand: 'Right', examId: after })).resolves.toMatchObject({
      examId: after,
    });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(endpoint.reads.get('rds/mocks-app')).toBe(readsBefore + 1);

    const check = await asRole(ROTATED_PASSWORD);
    const { rows: booked } = await check.query(
      'select count(*)::int as n from hubspot_bookings where associated_contact_id = $1',
      [contact.contactId],
    );
    await check.end();
    expect(booked[0].n).toBe(2);
    expect(JSON.stringify(server.logs)).not.toContain(ROTATED_PASSWORD);
  });

  it('a connection refused after another one re-read the secret retries with what it found', async () => {
    // Under load, two new connections can start with the old password, and one of them can be refused
    // only after the other has re-read the secret. The refresh interval turns down a second re-read,
    // so the late connection must use the credentials the first one found (the full suite's load made
    // the booking above fail this way with SERVICE_UNAVAILABLE, twice).
    const own = await cluster.createRoleWithDatabase({ password: OUTAGE_PASSWORD });
    const secretId = 'rds/late-refusal';
    endpoint.put(secretId, { username: own.user, password: OUTAGE_PASSWORD });
    const env = cluster.env(own);
    const cfg = loadConfig({
      DB_HOST: env.DB_HOST!,
      DB_PORT: env.DB_PORT!,
      DB_NAME: own.database,
      DB_SECRET_ID: secretId,
      AWS_REGION: FAKE_AWS_ENV.AWS_REGION,
    }).database;
    if (cfg.kind !== 'postgres') throw new Error('expected postgres');
    Object.assign(process.env, FAKE_AWS_ENV); // the SDK's credential chain reads these, in this process
    const source = createCredentialSource(cfg, {
      readSecret: createSecretReader({ region: FAKE_AWS_ENV.AWS_REGION, secretsManagerEndpoint: endpoint.url }),
    });
    const old = await source.current();
    const ssl = { ca: readFileSync(cluster.caPath, 'utf8') };
    const lost: Error[] = [];
    const first = credentialedPool(pg.Pool, pg.Client, { ssl, max: 1 }, source, (e) => lost.push(e));
    // The late connection read the credentials before the other re-read them.
    let readBeforeTheRefresh = true;
    const lagging: CredentialSource = {
      current: async () => {
        if (!readBeforeTheRefresh) return source.current();
        readBeforeTheRefresh = false;
        return old;
      },
      refreshAfterAuthFailure: () => source.refreshAfterAuthFailure(),
    };
    const late = credentialedPool(pg.Pool, pg.Client, { ssl, max: 1 }, lagging, (e) => lost.push(e));
    try {
      const admin = await cluster.admin();
      await admin.query(`alter role ${own.user} password ${admin.escapeLiteral(ROTATED_PASSWORD)}`);
      await admin.end();
      endpoint.put(secretId, { username: own.user, password: ROTATED_PASSWORD });

      await expect(first.query('select 1 as ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
      const reads = endpoint.reads.get(secretId);
      await expect(late.query('select 1 as ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
      expect(endpoint.reads.get(secretId), 'no second read of the secret').toBe(reads);
      expect(lost).toEqual([]);
    } finally {
      await first.end();
      await late.end();
    }
  });
});
