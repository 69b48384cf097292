import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PRODUCTION_NODE_ARGS } from '../../infra/lib/serviceRuntime';
import { inheritedEnv } from '../../server/lib/childEnv';
import { sleep } from '../../server/lib/time';

export interface ChildServer {
  process: ChildProcess;
  /** Base URL, known once the server logged "listening". */
  url: string;
  /** Every stdout line so far (pino JSON), parsed where it is JSON. */
  logs: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

const repoRoot = new URL('../../', import.meta.url);

/** The environment a server child sees: nothing of the developer's shell but what Node needs. */
export function cleanEnv(env: Record<string, string>): Record<string, string> {
  return { ...inheritedEnv(), PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', ...env };
}

/** Where a server child runs from: the source as `npm start` does, or a built release directory. */
export interface ServerCommand {
  /** A release directory (test/helpers/release.ts): runs the production command `node dist/server/main.js` there. */
  release?: string;
}

/** The production command's arguments, exactly as the systemd unit runs it (V8 heap flags, then the entry point). */
export const PRODUCTION_ARGS = [...PRODUCTION_NODE_ARGS];

/**
 * Runs the service in its own process: `server/main.ts` as `npm start` does (node --import tsx), or
 * with `release`, `node dist/server/main.js` in that directory. Either way the child is node itself.
 */
export function runServerProcess(
  env: Record<string, string>,
  command: ServerCommand = {},
): {
  child: ChildProcess;
  exited: Promise<number | string>;
  stderr: () => string;
} {
  const args = command.release ? PRODUCTION_ARGS : ['--import', 'tsx', 'server/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: command.release ?? repoRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, exited, stderr: () => stderr };
}

/** Starts a server process and waits for its "listening" log line. */
export async function startChildServer(
  env: Record<string, string>,
  timeoutMs = 30_000,
  command: ServerCommand = {},
): Promise<ChildServer> {
  const { child, exited, stderr } = runServerProcess(env, command);
  const logs: Array<Record<string, unknown>> = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${stderr()}`)),
      timeoutMs,
    );
    exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${stderr()}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = parseLogLine(line);
      logs.push(entry);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        resolve(entry.url as string);
      }
    });
  });
  return { process: child, url, logs, stderr, exited };
}

/** Polls until `check` returns true (the way an ALB would), or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A child's stdout line as its JSON log entry, or `{ raw }` for anything that is not JSON. */
export function parseLogLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}
