/**
 * Embedded mode's memory (issue 15.3): runs the server exactly as `npm start` does with nothing
 * configured (node --import tsx server/main.ts, PGlite in a fresh folder, in-process store) and reads
 * the server process's VmRSS / VmHWM from /proc while it starts and then idles; then starts it again
 * on the now seeded folder. Prints figures, asserts nothing.
 *
 *   npm run bench:embedded-memory                  # 30 s of idling per start
 *   npm run bench:embedded-memory -- --settle 60
 *
 * Linux only (/proc). Uses a temporary folder, removed at the end; touches nothing else.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inheritedEnv } from '../server/lib/childEnv';
import { sleep } from '../server/lib/time';
import { parseCliArgs } from '../tools/cliKit/args';

const usage = `Usage: npm run bench:embedded-memory [-- --settle <seconds>]

Starts the server as \`npm start\` does with nothing configured (embedded PGlite in a fresh temporary
folder), samples the server process's resident memory (VmRSS, VmHWM from /proc) through the start and
<settle> seconds of idling, stops it, then does the same again on the seeded folder. Prints MB.

  --settle <seconds>   idle time after "database ready" before the steady figure (default 30)`;

const { settle } = parseCliArgs(usage, { settle: { type: 'string', default: '30' } });
const settleMs = Number(settle) * 1000;
if (!Number.isFinite(settleMs) || settleMs < 0) {
  process.stderr.write(`--settle must be a number of seconds\n\n${usage}\n`);
  process.exit(2);
}

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return { rss: mb('VmRSS'), hwm: mb('VmHWM') };
  } catch {
    return undefined;
  }
}

interface StartFigures {
  readyAfterMs: number;
  rssAtReady: number;
  /** Median VmRSS over the last 5 s of the idle period: what the process keeps. */
  steadyRss: number;
  /** VmHWM: the most it was resident at any moment. */
  peak: number;
}

/** Resolves when a JSON log line with this message appears. */
function logLine(child: ChildProcess, message: string): Promise<void> {
  return new Promise((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(`"msg":"${message}"`)) resolve();
    });
  });
}

async function measureStart(dataDir: string): Promise<StartFigures> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...inheritedEnv(), PGLITE_DATA_DIR: dataDir, PORT: '0', METRICS_PORT: '0', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const started = Date.now();
  const ready = logLine(child, 'database ready');
  const failed = exited.then(() => {
    throw new Error('the server exited before "database ready"');
  });
  await Promise.race([ready, failed]);
  const readyAfterMs = Date.now() - started;
  const rssAtReady = memoryOf(child.pid!)!.rss;
  const samples: number[] = [];
  const until = Date.now() + settleMs;
  while (Date.now() < until) {
    await sleep(250);
    samples.push(memoryOf(child.pid!)!.rss);
  }
  const last = samples.slice(-20).sort((a, b) => a - b);
  const steadyRss = last[Math.floor(last.length / 2)] ?? rssAtReady;
  const peak = memoryOf(child.pid!)!.hwm;
  child.kill('SIGTERM');
  await exited;
  return { readyAfterMs, rssAtReady, steadyRss, peak };
}

const mb = (n: number) => `${Math.round(n)} MB`;
const describe = (what: string, f: StartFigures) =>
  `${what.padEnd(28)} ready after ${(f.readyAfterMs / 1000).toFixed(1)} s; RSS at ready ${mb(f.rssAtReady)}; ` +
  `steady RSS after ${settleMs / 1000} s idle ${mb(f.steadyRss)}; peak (VmHWM) ${mb(f.peak)}`;

const dataDir = mkdtempSync(join(tmpdir(), 'mb-bench-embedded-'));
try {
  process.stdout.write(`embedded memory: node ${process.version}, folder ${dataDir}\n`);
  process.stdout.write(`${describe('first start (empty folder):', await measureStart(dataDir))}\n`);
  process.stdout.write(`${describe('restart (seeded folder):', await measureStart(dataDir))}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
