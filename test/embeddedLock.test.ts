import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../db/dataDirLock';
import { type ChildServer, runServerProcess, startChildServer, waitFor } from './helpers/childServer';
import { runCommand, runTsCli } from './helpers/cli';

// Issue 15.2: two `npm start`s on one PGLITE_DATA_DIR both came up and each booked on its own copy.
const dataDir = mkdtempSync(join(tmpdir(), 'mb-embedded-lock-'));
const env = { PGLITE_DATA_DIR: dataDir, SHUTDOWN_DRAIN_DELAY_MS: '0', JOBS_ENABLED: 'false' };
const started: ChildServer[] = [];
afterAll(() => {
  for (const server of started) server.process.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async () => {
  const server = await startChildServer(env, 90_000);
  started.push(server);
  return server;
};
const healthy = (server: ChildServer) =>
  waitFor(async () => (await fetch(`${server.url}/api/health`)).status === 200, 'health 200', 90_000);
const lockOwnerPid = () => (JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as { pid: number }).pid;

describe('one process per embedded data folder', () => {
  it('refuses a second server and every tool that would open the folder, while the first runs', {
    timeout: 240_000,
  }, async () => {
    const first = await start();
    await healthy(first);
    const firstPid = first.process.pid!;
    expect(lockOwnerPid()).toBe(firstPid);

    // A second `npm start` on the same folder: exit 1 with one sentence naming the owner, no stack.
    const second = runServerProcess(env);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`${dataDir} is in use by another process (pid ${firstPid}`);
    expect(second.stderr()).toContain('PGLITE_DATA_DIR');
    expect(second.stderr()).not.toMatch(/\n\s+at /);

    for (const cli of ['tools/cli/migrate.ts', 'tools/cli/seed.ts']) {
      const result = await runTsCli(cli, [], env);
      expect(result.code, `${cli}: ${result.stdout}${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`in use by another process (pid ${firstPid}`);
      expect(result.stderr).toContain('fix:');
    }

    // db:studio opens the folder in drizzle-kit's own process: it takes the same lock.
    const studio = await runCommand('node_modules/.bin/drizzle-kit', ['studio', '--port', '0'], env);
    expect(studio.code, studio.stdout + studio.stderr).toBe(1);
    expect(studio.stderr).toContain(`in use by another process (pid ${firstPid}, server (npm start)`);

    // doctor never opens the folder; it says who has it.
    const doctor = await runTsCli('tools/cli/doctor.ts', [], env);
    expect(doctor.stdout).toContain(`open in pid ${firstPid} (server (npm start)`);

    // The first server was not disturbed by any of them, and still owns the lock.
    expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
    expect(lockOwnerPid()).toBe(firstPid);

    // A clean stop removes the lock, and the tools work again.
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const migrate = await runTsCli('tools/cli/migrate.ts', [], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('0 pending');
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('a SIGKILLed server leaves no stuck lock: the next start takes it over', { timeout: 240_000 }, async () => {
    const crashed = await start();
    await healthy(crashed);
    crashed.process.kill('SIGKILL');
    expect(await crashed.exited).toBe('SIGKILL');
    // The dead process could not remove its lock file; it must not count.
    expect(lockOwnerPid()).toBe(crashed.process.pid);
    const doctor = await runTsCli('tools/cli/doctor.ts', [], env);
    expect(doctor.stdout).toContain(`left locked by pid ${crashed.process.pid}`);
    expect(doctor.stdout).toContain('no longer runs');

    const next = await start();
    await healthy(next);
    expect(lockOwnerPid()).toBe(next.process.pid);
    next.process.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});
