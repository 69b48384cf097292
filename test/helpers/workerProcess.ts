import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cleanEnv, parseLogLine } from './childServer';

export interface WorkerProcess {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | string>;
  stderr: () => string;
}

const repoRoot = new URL('../../', import.meta.url);

/** `npm run worker` (node --import tsx tools/cli/worker.ts), resolved once it logs "worker running". */
export async function startWorkerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/worker.ts'], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const logs: Array<Record<string, unknown>> = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    exited.then((code) => reject(new Error(`worker exited (${code}) before running:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = parseLogLine(line);
      logs.push(entry);
      if (entry.msg === 'worker running') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, logs, exited, stderr: () => stderr };
}
