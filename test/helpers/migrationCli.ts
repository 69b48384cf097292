import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { inheritedEnv } from '../../server/lib/childEnv';

const repoRoot = new URL('../../', import.meta.url);

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a CLI exactly as `npm run migrate:*` / `sync:*` do (node --import tsx), with only the
 * environment an operator would set. TZ is not UTC on purpose: nothing may depend on it.
 */
export async function runMigrationCli(
  script: 'migrateImport' | 'migrateVerify' | 'syncStatus' | 'syncRun' | 'syncRetryDead' | 'adminToken',
  args: string[],
  env: Record<string, string>,
): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', `tools/cli/${script}.ts`, ...args], {
    cwd: repoRoot,
    env: { ...inheritedEnv(), TZ: 'America/Toronto', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
