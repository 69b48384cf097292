import { readFileSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCheck } from '../tools/doctor/check';
import { checkRuntimeDependencies } from '../tools/doctor/dependencies';
import { startBlackHole } from './helpers/blackHole';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { type DoctorRun, installWithout, runDoctorCli } from './helpers/doctorCli';
import { DEAD_PORT, deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import {
  FAKE_AWS_ENV,
  type SecretsManagerEndpoint,
  startSecretsManagerEndpoint,
} from './helpers/secretsManagerEndpoint';
import { startTlsPostgres, type TlsPostgres } from './helpers/tlsPostgres';

/** The password that broke in shell escaping during the failed cutover. */
const OUTAGE_PASSWORD = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';
/** What a shell made of it: `$$` expanded to a process id. */
const SHELL_MANGLED_PASSWORD = OUTAGE_PASSWORD.replace('$$', '4242');

const committedTags = (
  JSON.parse(readFileSync(new URL('../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: Array<{ tag: string }>;
  }
).entries.map((e) => e.tag);

const redisPrefix = uniqueRedisPrefix();
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases.splice(0)) await d.drop();
  await deleteKeys(redisPrefix);
});

async function database(options?: { migrated?: boolean }) {
  const d = await createTestDatabase(options);
  databases.push(d);
  return d;
}

/** The healthy local services, as an operator's environment would name them. */
const localEnv = (db: TestDatabase): Record<string, string> => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: db.url,
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: redisPrefix,
});

const check = (run: DoctorRun, name: string) => {
  const found = run.checks.get(name);
  if (!found) throw new Error(`no "${name}" line in:\n${run.stdout}\n${run.stderr}`);
  return found;
};

/** Output in every spelling a password could leak in. */
function expectNoPassword(run: DoctorRun, password: string) {
  for (const spelling of [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)]) {
    expect(run.stdout).not.toContain(spelling);
    expect(run.stderr).not.toContain(spelling);
  }
}

describe('npm run doctor against the local services', () => {
  it('passes every check on a migrated database with Redis up, and --json says the same', async () => {
    const env = localEnv(await database());
    const run = await runDoctorCli(env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect([...run.checks.keys()]).toEqual([
      'config',
      'runtime dependencies',
      'secrets',
      'postgres connection',
      'postgres version',
      'migrations',
      'tables',
      'redis',
      'hubspot',
    ]);
    expect([...run.checks.values()].map((c) => c.mark)).toEqual(Array(9).fill('✓'));
    expect(check(run, 'postgres version').text).toMatch(/PostgreSQL \d+/);
    expect(check(run, 'redis').text).toContain(`PING + SET/GET/DEL on "${redisPrefix}doctor:`);

    const json = await runDoctorCli(env, ['--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; ms: number }> };
    expect(report.ok).toBe(true);
    expect(report.checks).toHaveLength(9);
    for (const c of report.checks) expect(c).toMatchObject({ ok: true, ms: expect.any(Number) });
  });

  it('fails on an unmigrated database, listing the pending migrations and `npm run db:migrate`', async () => {
    const run = await runDoctorCli(localEnv(await database({ migrated: false })));
    expect(run.code).toBe(1);
    const migrations = check(run, 'migrations');
    expect(migrations.mark).toBe('✗');
    for (const tag of committedTags) expect(migrations.text).toContain(tag);
    expect(migrations.text).toMatch(/fix: .*npm run db:migrate/);
    expect(check(run, 'tables').mark).toBe('✗');

    const json = JSON.parse((await runDoctorCli(localEnv(databases.at(-1)!), ['--json'])).stdout) as {
      ok: boolean;
      checks: Array<{ name: string; ok: boolean; cause?: string; fix?: string }>;
    };
    expect(json.ok).toBe(false);
    expect(json.checks.find((c) => c.name === 'migrations')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('npm run db:migrate'),
    });
  });

  it('explains a refused database port', async () => {
    const run = await runDoctorCli({
      ...localEnv(await database()),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${DEAD_PORT}/nowhere`,
    });
    expect(run.code).toBe(1);
    const line = check(run, 'postgres connection');
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/ECONNREFUSED/);
    expect(line.text).toMatch(/cause: Connection refused/);
    expect(line.text).toMatch(/fix: .*DB_PORT/);
    expect(check(run, 'migrations').mark).toBe('-');
  });

  it('explains an unknown database host', async () => {
    const { DATABASE_URL: _, ...rest } = localEnv(await database());
    const run = await runDoctorCli({ ...rest, DB_HOST: 'no-such-host.invalid' });
    expect(run.code).toBe(1);
    const line = check(run, 'postgres connection');
    expect(line.text).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(line.text).toMatch(/cause: Unknown host/);
    expect(line.text).toMatch(/fix: +Check DB_HOST/);
  });

  describe('a database that accepts connections and never answers', () => {
    let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
    beforeAll(async () => {
      blackHole = await startBlackHole();
    });
    afterAll(() => blackHole.close());

    it('is reported as a timeout instead of hanging doctor', async () => {
      const { port } = blackHole;
      const run = await runDoctorCli({
        ...localEnv(await database()),
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`,
        DB_CONNECT_TIMEOUT_MS: '500',
      });
      expect(run.code).toBe(1);
      const line = check(run, 'postgres connection');
      expect(line.mark).toBe('✗');
      expect(line.text).toMatch(/cause: Timeout/);
      expect(line.text).toMatch(/security group/);
    });
  });

  it('explains a Redis that refuses connections', async () => {
    const run = await runDoctorCli({ ...localEnv(await database()), REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}` });
    expect(run.code).toBe(1);
    const line = check(run, 'redis');
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/cause: Connection refused: nothing accepts connections for Redis/);
    expect(line.text).toMatch(/fix: .*REDIS_PORT/);
    expect(check(run, 'postgres connection').mark).toBe('✓');
  });

  it('reports the in-process store as single-instance only, not as a failure', async () => {
    const { REDIS_URL: _, ...rest } = localEnv(await database());
    const run = await runDoctorCli(rest);
    expect(run.code).toBe(0);
    expect(check(run, 'redis').mark).toBe('!');
    expect(check(run, 'redis').text).toMatch(/single instance only/);
  });

  it('fails the config check with the message the service would stop with', async () => {
    const { REDIS_URL: _, ...rest } = localEnv(await database());
    const run = await runDoctorCli({ ...rest, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) });
    expect(run.code).toBe(1);
    expect(check(run, 'config').text).toMatch(/REDIS_URL: required when NODE_ENV=production/);
    expect(check(run, 'runtime dependencies').mark).toBe('✓');
    expect(check(run, 'redis').mark).toBe('-');
  });

  describe('a Redis ACL user', () => {
    const user = `mbt_doctor_${inject('runId')}_${process.pid}`;
    const password = `right-${process.pid}`;
    let admin: Redis;
    beforeAll(async () => {
      admin = new Redis(inject('redisUrl'));
      await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~*', '+@all');
    });
    afterAll(async () => {
      await admin.call('ACL', 'DELUSER', user);
      admin.disconnect();
    });

    it('with the wrong password is explained as a Redis auth error (WRONGPASS)', async () => {
      const { REDIS_URL, ...rest } = localEnv(await database());
      const { hostname, port } = new URL(REDIS_URL!);
      const run = await runDoctorCli({
        ...rest,
        REDIS_HOST: hostname,
        REDIS_PORT: port || '6379',
        REDIS_USERNAME: user,
        REDIS_PASSWORD: 'not-the-password',
      });
      expect(run.code).toBe(1);
      const line = check(run, 'redis');
      expect(line.mark).toBe('✗');
      expect(line.text).toMatch(/WRONGPASS/);
      expect(line.text).toMatch(/cause: Redis rejected the user name or password/);
      expect(line.text).toMatch(/fix: .*REDIS_PASSWORD/);
      expect(run.stdout).not.toContain('not-the-password');
    });

    it('with the right password passes (REDIS_URL plus REDIS_USERNAME/REDIS_PASSWORD, as for ElastiCache RBAC)', async () => {
      const run = await runDoctorCli({ ...localEnv(await database()), REDIS_USERNAME: user, REDIS_PASSWORD: password });
      expect(run.code, run.stdout).toBe(0);
      expect(check(run, 'redis').text).toContain(`user "${user}"`);
      expect(run.stdout).not.toContain(password);
    });
  });

  it('reports a package missing from the install instead of crashing on it', async () => {
    const root = installWithout('ioredis');
    try {
      const run = await runDoctorCli(localEnv(await database()), [], { cwd: root });
      expect(run.code, run.stderr).toBe(1);
      const line = check(run, 'runtime dependencies');
      expect(line.mark).toBe('✗');
      expect(line.text).toMatch(/cannot resolve ioredis from .*\(\d+ of \d+ resolve\)/);
      expect(line.text).toMatch(/fix: .*npm ci --omit=dev/);
      expect(run.stderr).toBe('');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names a runtime dependency that does not resolve', async () => {
    const result = await runCheck('runtime dependencies', { target: 'dependencies' }, 5_000, () =>
      checkRuntimeDependencies(['pg', 'zod', 'mbt-no-such-module-at-run-time']),
    );
    expect(result).toMatchObject({ status: 'fail', ok: false, rule: 'module-missing' });
    expect(result.detail).toMatch(/cannot resolve mbt-no-such-module-at-run-time .*\(2 of 3 resolve\)/);
    expect(result.fix).toMatch(/npm ci --omit=dev/);
  });
});

describe('npm run doctor with real password checks and Secrets Manager', () => {
  let cluster: TlsPostgres;
  let role: { user: string; database: string; password: string };
  let secrets: SecretsManagerEndpoint;
  beforeAll(async () => {
    // The local cluster trusts every password on 127.0.0.1; this one checks them (SCRAM, TLS only).
    cluster = await startTlsPostgres();
    role = await cluster.createRoleWithDatabase({ password: OUTAGE_PASSWORD, migrated: true });
    secrets = await startSecretsManagerEndpoint();
  });
  afterAll(async () => {
    await cluster?.stop();
    await secrets?.close();
  });

  const redis = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: redisPrefix,
  });
  /** Host, port, database and TLS from the environment; user and password from the secret. */
  const fromSecret = (secretId: string) => {
    const { DB_USER: _u, DB_PASSWORD: _p, ...where } = cluster.env(role);
    return {
      ...redis(),
      ...where,
      ...FAKE_AWS_ENV,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      DB_SECRET_ID: secretId,
    };
  };

  it('explains a wrong password (28P01) without printing either password', async () => {
    const run = await runDoctorCli({ ...redis(), ...cluster.env(role), DB_PASSWORD: SHELL_MANGLED_PASSWORD });
    expect(run.code).toBe(1);
    const line = check(run, 'postgres connection');
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/28P01/);
    expect(line.text).toMatch(/cause: Postgres rejected the password/);
    expect(line.text).toMatch(/never through a shell line/);
    expectNoPassword(run, OUTAGE_PASSWORD);
    expectNoPassword(run, SHELL_MANGLED_PASSWORD);
  });

  it('connects with that exact password from DB_PASSWORD', async () => {
    const run = await runDoctorCli({ ...redis(), ...cluster.env(role) });
    expect(run.code, run.stdout).toBe(0);
    expectNoPassword(run, OUTAGE_PASSWORD);
  });

  it('passes with the RDS-managed secret shape { username, password } and never prints the password', async () => {
    secrets.put('rds/booking/app', { username: role.user, password: OUTAGE_PASSWORD });
    const env = fromSecret('rds/booking/app');
    const run = await runDoctorCli(env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect([...run.checks.values()].every((c) => c.mark === '✓')).toBe(true);
    expect(check(run, 'secret DB_SECRET_ID').text).toMatch(/RDS-managed shape/);
    expect(check(run, 'postgres connection').text).toContain(`${role.user}@localhost`);
    expectNoPassword(run, OUTAGE_PASSWORD);

    const json = await runDoctorCli(env, ['--json']);
    expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(true);
    expectNoPassword(json, OUTAGE_PASSWORD);
  });

  it('explains a secret that does not exist', async () => {
    const run = await runDoctorCli(fromSecret('rds/booking/no-such-secret'));
    expect(run.code).toBe(1);
    const line = check(run, 'secret DB_SECRET_ID');
    expect(line.mark).toBe('✗');
    expect(line.text).toMatch(/ResourceNotFoundException/);
    expect(line.text).toMatch(/cause: Secret not found/);
    expect(line.text).toMatch(/fix: +Check DB_SECRET_ID .*AWS_REGION/);
    expect(check(run, 'postgres connection').mark).toBe('-');
  });

  it('explains a secret the role may not read (IAM policy and KMS key)', async () => {
    secrets.put('rds/booking/denied', { username: role.user, password: OUTAGE_PASSWORD });
    secrets.deny('rds/booking/denied');
    const run = await runDoctorCli(fromSecret('rds/booking/denied'));
    expect(run.code).toBe(1);
    const line = check(run, 'secret DB_SECRET_ID');
    expect(line.text).toMatch(/AccessDeniedException/);
    expect(line.text).toMatch(/cause: Access denied/);
    expect(line.text).toMatch(/secretsmanager:GetSecretValue on that secret’s ARN/);
    expect(line.text).toMatch(/kms:Decrypt/);
  });

  it('explains a malformed secret without printing its value', async () => {
    secrets.put('rds/booking/malformed', { user: role.user, pass: OUTAGE_PASSWORD });
    const run = await runDoctorCli(fromSecret('rds/booking/malformed'));
    expect(run.code).toBe(1);
    expect(check(run, 'secret DB_SECRET_ID').text).toMatch(/cause: Malformed secret/);
    expectNoPassword(run, OUTAGE_PASSWORD);
  });
});
