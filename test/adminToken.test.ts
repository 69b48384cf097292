import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/src';
import { adminConfig } from '../server/config/admin';
import type { Env } from '../server/config/env';
import { failure } from './helpers/failure';
import { runMigrationCli } from './helpers/migrationCli';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { withTestService } from './helpers/service';

const dir = await mkdtemp(join(tmpdir(), 'admin-token-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `npm run admin:token -- …` as a developer runs it (node --import tsx), with only the env given. */
async function adminToken(args: string[], env: Record<string, string> = {}) {
  const run = await runMigrationCli('adminToken', args, env);
  return { ...run, stdout: run.stdout.trim() };
}

describe('npm run admin:token (the development issuer)', () => {
  it('prints a token the service accepts when no OIDC issuer is configured, with the role asked for', async () => {
    const keyFile = join(dir, 'data', 'admin-dev-key.json');
    const env = { ADMIN_DEV_KEY_FILE: keyFile };
    const coordinator = await adminToken(['--email', 'desk@school.example', '--role', 'coordinator'], env);
    expect(coordinator).toMatchObject({ code: 0, stderr: '' });
    expect(coordinator.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The key is made on first use, readable by its owner only.
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const admin = await adminToken(['--email', 'boss@school.example'], env);

    await withTestService(env, async (s) => {
      const as = (token: string) => createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
      expect((await as(coordinator.stdout).admin.exams.list.query({})).items).toEqual([]);
      expect(
        await failure(
          as(coordinator.stdout).admin.credits.adjust.mutate({
            contactId: 'x',
            creditType: 'cs',
            delta: 1,
            reason: 'r',
          }),
        ),
      ).toMatchObject({ appCode: 'FORBIDDEN' });
      // The default role is admin; its email reaches the audit log.
      await as(admin.stdout).admin.exams.create.mutate({
        mockType: 'Mini-mock',
        examDate: '2031-03-01',
        startTime: '09:00',
        endTime: '10:00',
        location: 'Toronto',
        capacity: 5,
      });
      const audit = await s.db.query(`select admin_subject, admin_email, admin_role from admin_audit_log`);
      expect(audit.rows).toEqual([
        { admin_subject: 'dev|boss@school.example', admin_email: 'boss@school.example', admin_role: 'admin' },
      ]);
    });

    // Another key file (another machine's key) signs tokens this service does not accept.
    const stranger = await adminToken(['--email', 'x@school.example'], { ADMIN_DEV_KEY_FILE: join(dir, 'other.json') });
    await withTestService(env, async (s) => {
      const client = createClient({ url: `${s.url}/api/trpc`, getToken: () => stranger.stdout });
      expect(await failure(client.admin.exams.list.query({}))).toMatchObject({ appCode: 'UNAUTHENTICATED' });
    });
  });

  it('is refused by a service with an OIDC issuer, and never made or accepted in production', async () => {
    const keyFile = join(dir, 'key2.json');
    const { stdout: token } = await adminToken(['--email', 'a@school.example', '--role', 'super_admin'], {
      ADMIN_DEV_KEY_FILE: keyFile,
    });
    const idp = await startOidcIssuer();
    try {
      await withTestService({ ...idp.env, ADMIN_DEV_KEY_FILE: keyFile }, async (s) => {
        const client = createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
        expect(await failure(client.admin.exams.list.query({}))).toMatchObject({ appCode: 'UNAUTHENTICATED' });
      });
      const withIssuer = await adminToken(['--email', 'a@school.example'], {
        ...idp.env,
        ADMIN_DEV_KEY_FILE: keyFile,
      });
      expect(withIssuer.code).toBe(1);
      expect(withIssuer.stderr).toContain('ADMIN_OIDC_ISSUER is set');
    } finally {
      await idp.close();
    }
    const production = await adminToken(['--email', 'a@school.example'], { NODE_ENV: 'production' });
    expect(production).toMatchObject({ code: 1, stdout: '' });
    expect(production.stderr).toContain('NODE_ENV=production');
    const base = { ADMIN_DEV_KEY_FILE: keyFile, ADMIN_OIDC_CLOCK_SKEW_SECONDS: 30 } as unknown as Env;
    expect(adminConfig({ ...base, NODE_ENV: 'production' }, []).devKeyFile).toBeUndefined();
    expect(adminConfig({ ...base, NODE_ENV: 'development' }, []).devKeyFile).toBe(keyFile);
  });

  it('--help answers without touching anything; bad arguments exit 2', async () => {
    const help = await adminToken(['--help'], { ADMIN_DEV_KEY_FILE: join(dir, 'never.json') });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run admin:token');
    await expect(stat(join(dir, 'never.json'))).rejects.toThrow();
    expect((await adminToken(['--email', 'a@school.example', '--role', 'root'])).code).toBe(2);
    expect((await adminToken(['--role', 'admin'])).code).toBe(2);
    expect((await adminToken(['--email', 'a@school.example', '--unknown'])).code).toBe(2);
  });
});
