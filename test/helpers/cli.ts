import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './childServer';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command from the repository root with only the environment given (nothing of the test
 * runner's shell), killed after `timeoutMs` so a hanging tool fails the test with what it printed.
 */
export async function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<CliResult> {
  const child = spawn(command, args, { cwd: repoRoot, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(killer);
  return { code, stdout, stderr };
}

/** A TypeScript CLI as its npm script runs it: node --import tsx <file>. */
export const runTsCli = (file: string, args: string[], env: Record<string, string>, timeoutMs?: number) =>
  runCommand(process.execPath, ['--import', 'tsx', file, ...args], env, timeoutMs);
