import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertContact, insertExam } from './helpers/factories';
import { useTestService } from './helpers/service';

// The frontend team's situation: the packed tarball installed into a fresh project outside this
// repository, with TypeScript and the tarball's own dependencies and nothing else.
const repoRoot = new URL('../', import.meta.url).pathname;
const consumerDir = mkdtempSync(join(tmpdir(), 'mb-consumer-'));
const typescriptVersion = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }
).version;

const server = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '1000' });
const { db } = server;

/** Asynchronous on purpose where the server under test lives in this process: a sync spawn would block it. */
async function runAsync(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
    return { status: 0, output: `${stdout}\n${stderr}`, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? 1, output: `${e.stdout ?? ''}\n${e.stderr ?? ''}`, stdout: e.stdout ?? '' };
  }
}

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

beforeAll(async () => {
  // --ignore-scripts: the global setup built client/dist once for every test file.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', consumerDir, '--json'], {
    cwd: join(repoRoot, 'client'),
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  const [{ filename }] = JSON.parse(packed.slice(packed.indexOf('['))) as [{ filename: string }];
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  cpSync(join(repoRoot, 'test/fixtures/consumer'), consumerDir, { recursive: true });
  const install = run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(consumerDir, filename),
      `typescript@${typescriptVersion}`,
    ],
    consumerDir,
  );
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.output}`);
}, 240_000);

afterAll(() => rmSync(consumerDir, { recursive: true, force: true }));

describe('@mocks-booking/client from its tarball', () => {
  it('ships compiled JavaScript and declarations, and depends at run time on @trpc/client and superjson only', () => {
    const manifest = JSON.parse(
      readFileSync(join(consumerDir, 'node_modules/@mocks-booking/client/package.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    expect(manifest.dependencies).toEqual({ '@trpc/client': '11.22.1', superjson: expect.any(String) });
    const serverTrpc = (
      JSON.parse(readFileSync(join(repoRoot, 'node_modules/@trpc/server/package.json'), 'utf8')) as { version: string }
    ).version;
    expect(manifest.dependencies!['@trpc/client']).toBe(serverTrpc);
    const declarations = readFileSync(join(consumerDir, 'node_modules/@mocks-booking/client/dist/router.d.ts'), 'utf8');
    expect(declarations).not.toMatch(/server\/|drizzle|pino|express|ioredis/);
  });

  it('type-checks valid calls, and rejects wrong input, unknown procedures and wrong output use', () => {
    const check = run(join(consumerDir, 'node_modules/.bin/tsc'), ['-p', consumerDir], consumerDir);
    expect(check.output.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('the React example (client/example) type-checks against the built package', () => {
    const check = run(
      join(repoRoot, 'node_modules/.bin/tsc'),
      ['-p', join(repoRoot, 'client/example/tsconfig.json')],
      repoRoot,
    );
    expect(check.output.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('the same file runs against a live server: real sessions, a booking, a typed EXAM_FULL', async () => {
    const contact = await insertContact(db, { cs_credits: 2 });
    const open = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-09-01' });
    const full = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-09-02', capacity: 0 });

    const result = await runAsync(
      process.execPath,
      [join(consumerDir, 'dist/consumer.js'), server.url, contact.studentId, contact.email, full],
      consumerDir,
    );
    expect(result.status, result.output).toBe(0);
    const printed = JSON.parse(result.stdout.trim()) as {
      sessions: Array<{ examId: string; seatsLeft: number; status: string }>;
      startTimeIsDate: boolean;
      bookingCode: string;
      fullCode: string;
      mine: string[];
      bookingId: string;
    };
    expect(printed.sessions).toEqual([{ examId: open, seatsLeft: 8, status: 'available' }]);
    expect(printed.startTimeIsDate).toBe(true);
    expect(printed.bookingCode).toBe(`Clinical Skills-${contact.studentId}-September 1, 2031`);
    expect(printed.fullCode).toBe('EXAM_FULL');
    expect(printed.mine).toEqual([printed.bookingId]);
    const { rows } = await db.query('select associated_contact_id from hubspot_bookings where id = $1', [
      printed.bookingId,
    ]);
    expect(rows).toEqual([{ associated_contact_id: contact.contactId }]);
  });
});
