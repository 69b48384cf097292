import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './childServer';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface DoctorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The check lines (✓ ✗ ! -), each with its cause/fix lines, by check name. */
  checks: Map<string, { mark: string; text: string }>;
}

const CHECK_LINE = /^([✓✗!-]) (.+?)\s+\d+ ms/;

function parseChecks(stdout: string): DoctorRun['checks'] {
  const checks: DoctorRun['checks'] = new Map();
  let current: { mark: string; text: string } | undefined;
  for (const line of stdout.split('\n')) {
    const head = CHECK_LINE.exec(line);
    if (head) {
      current = { mark: head[1]!, text: line };
      checks.set(head[2]!, current);
    } else if (current && line.startsWith('      ')) {
      current.text += `\n${line}`;
    } else {
      current = undefined;
    }
  }
  return checks;
}

/**
 * Runs `npm run doctor` the way an operator does (node --import tsx tools/cli/doctor.ts) with only
 * the environment given: nothing of the test runner's shell leaks in. `cwd` runs another copy of
 * the service (e.g. an install with a package missing).
 */
export async function runDoctorCli(
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<DoctorRun> {
  const { cwd = repoRoot, timeoutMs = 60_000 } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/doctor.ts', ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Doctor promises never to hang; if it does, the test fails with what it printed so far.
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(killer);
  return { code, stdout, stderr, checks: parseChecks(stdout) };
}

/**
 * A copy of the service whose node_modules lacks one package, as an image built without it would:
 * the source is copied, every other package is a symlink to the real install. Remove it with rmSync.
 */
export function installWithout(missingPackage: string): string {
  const root = mkdtempSync(join(tmpdir(), 'mbt-pruned-install-'));
  for (const entry of ['server', 'tools', 'db', 'package.json', 'tsconfig.json'])
    cpSync(join(repoRoot, entry), join(root, entry), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== missingPackage)
      symlinkSync(realpathSync(join(repoRoot, 'node_modules', entry)), join(root, 'node_modules', entry));
  }
  return root;
}
