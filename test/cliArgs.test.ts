import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './helpers/childServer';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { DEAD_PORT } from './helpers/redis';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const migrationCount = (
  JSON.parse(readFileSync(new URL('../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

/** Runs a CLI as its npm script does (node --import tsx <file>), with only the environment given. */
async function run(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: repoRoot,
    env: cleanEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(killer);
  return { code, stdout, stderr };
}

const CLIS = [
  'tools/cli/migrate.ts',
  'tools/cli/seed.ts',
  'tools/cli/doctor.ts',
  'tools/cli/checkMigrationDrift.ts',
  'tools/cli/migrateImport.ts',
  'tools/cli/migrateVerify.ts',
  'tools/cli/syncStatus.ts',
  'tools/cli/syncRun.ts',
  'tools/cli/syncRetryDead.ts',
  'bench/booking/main.ts',
];

describe('every CLI', () => {
  it.each(CLIS)('%s answers --help with its usage and touches nothing', async (file) => {
    // A dead database: --help must not try to reach it (db:migrate used to run the migration).
    const result = await run(file, ['--help'], { DATABASE_URL: `postgres://nobody@127.0.0.1:${DEAD_PORT}/none` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run /);
  });

  it.each(CLIS)('%s refuses an unknown flag (exit 2, naming it)', async (file) => {
    const result = await run(file, ['--frobnicate'], { DATABASE_URL: `postgres://nobody@127.0.0.1:${DEAD_PORT}/none` });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--frobnicate');
  });
});

describe('db:migrate', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.drop();
  });

  it('says which database it touches and how many migrations it applied, then "0 pending"', async () => {
    const db = await createTestDatabase({ migrated: false });
    databases.push(db);
    const name = new URL(db.url).pathname.slice(1);
    const first = await run('tools/cli/migrate.ts', [], { DATABASE_URL: db.url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Postgres database "${name}" on 127.0.0.1:`);
    expect(first.stdout).toContain(`applied ${migrationCount} migration(s)`);
    const second = await run('tools/cli/migrate.ts', [], { DATABASE_URL: db.url });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('0 pending, nothing applied');
  });

  it('prints cause and fix, not a JSON log line with a stack, when the database is unreachable', async () => {
    const result = await run('tools/cli/migrate.ts', [], {
      DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${DEAD_PORT}/none`,
      DB_CONNECT_TIMEOUT_MS: '2000',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cause: .+/);
    expect(result.stderr).toMatch(/fix: {3}.+/);
    expect(result.stderr).not.toMatch(/"stack"|\n\s+at /);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });
});
