import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../server/config';
import { openConfiguredDatabase } from '../server/runtime/database';
import { startChildServer, waitFor } from './helpers/childServer';
import { runDoctorCli } from './helpers/doctorCli';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import { startTlsPostgres, type TlsPostgres } from './helpers/tlsPostgres';

/** The password that broke in shell escaping during the failed cutover: every character must survive. */
const OUTAGE_PASSWORD = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';
const UNTRUSTED_CERT_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
];

let cluster: TlsPostgres;
let role: { user: string; database: string; password: string };
const redisPrefix = uniqueRedisPrefix();

beforeAll(async () => {
  cluster = await startTlsPostgres();
  role = await cluster.createRoleWithDatabase({ password: OUTAGE_PASSWORD, migrated: true });
});
afterAll(async () => {
  await cluster?.stop();
  await deleteKeys(redisPrefix);
});

/** verify-full against the right CA, by the certificate's host name: what production runs with. */
const verified = (): Record<string, string> => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: redisPrefix,
  ...cluster.env(role),
});

const withoutCa = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'DB_SSL_CA'));

/** `select 1` through the service's own connection code; resolves with whether TLS was in use. */
async function selectOneThroughService(env: Record<string, string>): Promise<boolean> {
  const database = await openConfiguredDatabase(loadConfig(env), { error: () => undefined });
  try {
    // The query the health check runs, then what the server says about this very connection.
    await database.db.execute(sql`select 1`);
    if (database.mode !== 'postgres') throw new Error('expected a Postgres connection');
    const { rows } = await database.pool.query<{ ssl: boolean }>(
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
    );
    return rows[0]!.ssl;
  } finally {
    await database.close();
  }
}

/** The error the service's connection code fails with (the innermost one, as pg raises it). */
async function connectionError(env: Record<string, string>): Promise<{ code?: string; message: string }> {
  const err = await selectOneThroughService(env).then(
    () => {
      throw new Error('expected the connection to be refused');
    },
    (e: unknown) => e as Error & { cause?: unknown },
  );
  const root = (err.cause ?? err) as { code?: string; message: string };
  return { code: root.code, message: root.message };
}

describe('TLS to a TLS-only Postgres with its own CA (like RDS with rds.force_ssl)', () => {
  it('verify-full with the right CA and the certificate’s host name connects, in the service and in doctor', async () => {
    await expect(selectOneThroughService(verified())).resolves.toBe(true);

    const run = await runDoctorCli(verified());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect([...run.checks.values()].map((c) => c.mark)).toEqual(Array(run.checks.size).fill('✓'));
    expect(run.checks.get('postgres connection')!.text).toMatch(/TLSv1\.[23], certificate and host name verified/);
  });

  it('fails closed with a CA that did not sign the server certificate, and doctor says the certificate is not trusted', async () => {
    const env = { ...verified(), DB_SSL_CA: cluster.otherCaPath };
    const err = await connectionError(env);
    expect(UNTRUSTED_CERT_CODES).toContain(err.code);

    const run = await runDoctorCli(env);
    expect(run.code).toBe(1);
    const line = run.checks.get('postgres connection')!;
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/certificate not trusted/i);
    expect(line.text).toMatch(/set DB_SSL_CA to the RDS global bundle/i);
  });

  it('fails closed with verify-full and no CA at all (the system store does not know a private CA)', async () => {
    const err = await connectionError(withoutCa(verified()));
    expect(UNTRUSTED_CERT_CODES).toContain(err.code);
  });

  it('fails closed when connecting by an address that is not on the certificate, and doctor says host name mismatch', async () => {
    const env = { ...verified(), DB_HOST: '127.0.0.1' };
    const err = await connectionError(env);
    expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');

    const run = await runDoctorCli(env);
    expect(run.code).toBe(1);
    const line = run.checks.get('postgres connection')!;
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/host name mismatch/i);
    expect(line.text).toMatch(
      /connect with the host name on the certificate, e\.g\. the RDS endpoint, not an IP\/CNAME/i,
    );
  });

  it('without TLS the server refuses with 28000 "no encryption", and doctor says to enable TLS', async () => {
    const env = { ...withoutCa(verified()), DB_SSL_MODE: 'disable' };
    const err = await connectionError(env);
    expect(err.code).toBe('28000');
    expect(err.message).toMatch(/no pg_hba\.conf entry for host .*no encryption/);

    const run = await runDoctorCli(env);
    expect(run.code).toBe(1);
    const line = run.checks.get('postgres connection')!;
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/no encryption/);
    expect(line.text).toMatch(/fix: +Enable TLS: DB_SSL_MODE=verify-full DB_SSL_CA=/);
  });

  it('DB_SSL_MODE=require connects without verifying (the operator’s explicit choice), and doctor warns about it', async () => {
    // Neither the CA nor the host name would pass verify-full: require encrypts and checks nothing.
    const env = { ...withoutCa(verified()), DB_SSL_MODE: 'require', DB_HOST: '127.0.0.1' };
    await expect(selectOneThroughService(env)).resolves.toBe(true);

    const run = await runDoctorCli(env);
    expect(run.code, run.stdout).toBe(0);
    const line = run.checks.get('postgres connection')!;
    expect(line.mark).toBe('!');
    expect(line.text).toMatch(/without certificate verification \(DB_SSL_MODE=require\)/);
  });

  it('the service started with verify-full against the TLS-only server answers /api/health 200', async () => {
    const server = await startChildServer({
      ...verified(),
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      DB_MIGRATE_ON_START: 'true',
    });
    try {
      await waitFor(
        async () => (await fetch(`${server.url}/api/health`)).status === 200,
        'health 200 over verify-full',
      );
      const body = (await (await fetch(`${server.url}/api/health`)).json()) as {
        database: { status: string; mode: string };
      };
      expect(body.database).toMatchObject({ status: 'up', mode: 'postgres' });
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });
});
