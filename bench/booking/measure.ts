import { performance } from 'node:perf_hooks';
import { TRPCClientError } from '@trpc/client';
import { isAppError } from '../../client/src';
import { isAborting } from './cleanup';
import type { Resources } from './resources';

export interface Sample {
  op: string;
  ms: number;
  outcome: string;
  /** performance.now() when the answer arrived. */
  end: number;
}

export function outcomeOf(err: unknown): string {
  if (isAppError(err)) return err.data.appCode;
  if (err instanceof TRPCClientError) return `TRPC_CLIENT_ERROR(${err.message.slice(0, 80)})`;
  const e = err as { name?: string; message?: string; cause?: { code?: string } } | undefined;
  return `${e?.name ?? 'Error'}(${e?.cause?.code ?? e?.message?.slice(0, 80) ?? String(err)})`;
}

/** Requests sent and not yet answered (an aborting run waits for them before stopping the servers). */
export const requests = { inFlight: 0 };

/** Times `call` into `samples`: `ok`, or the error's outcome (outcomeOf). Its value, or undefined on an error. */
export async function timed<T>(samples: Sample[], op: string, call: () => Promise<T>): Promise<T | undefined> {
  let value: T | undefined;
  await timedOutcome(samples, op, async () => {
    value = await call();
    return 'ok';
  });
  return value;
}

/** `timed` for a call that names its own outcome (recordedCalls.ts sendRecorded). */
export async function timedOutcome(samples: Sample[], op: string, send: () => Promise<string>): Promise<string> {
  const start = performance.now();
  requests.inFlight++;
  try {
    const outcome = await send();
    samples.push(sampleOf(op, start, outcome));
    return outcome;
  } catch (err) {
    const outcome = outcomeOf(err);
    samples.push(sampleOf(op, start, outcome));
    return outcome;
  } finally {
    requests.inFlight--;
  }
}

function sampleOf(op: string, start: number, outcome: string): Sample {
  const end = performance.now();
  return { op, ms: end - start, outcome, end };
}

/** Runs every task with at most `limit` in flight; starts no new one once the run is aborting. */
export async function runPool(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !isAborting()) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencyStats {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  outcomes: Record<string, number>;
  /** The same figures per outcome, where an operation had more than one. */
  byOutcome?: Record<string, Omit<LatencyStats, 'byOutcome' | 'outcomes'>>;
}

export function stats(samples: Sample[], splitByOutcome = false): LatencyStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const outcomes: Record<string, number> = {};
  for (const s of samples) outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
  return {
    requests: samples.length,
    p50: round1(percentile(sorted, 50)),
    p95: round1(percentile(sorted, 95)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted.at(-1) ?? 0),
    outcomes,
    ...(splitByOutcome && Object.keys(outcomes).length > 1
      ? {
          byOutcome: Object.fromEntries(
            Object.keys(outcomes).map((o) => {
              const { outcomes: _o, byOutcome: _b, ...figures } = stats(samples.filter((s) => s.outcome === o));
              return [o, figures];
            }),
          ),
        }
      : {}),
  };
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface WorkloadResult {
  name: string;
  description: string;
  requests: number;
  wallMs: number;
  throughput: number;
  overall: LatencyStats;
  byOperation: Record<string, LatencyStats>;
  peakRssMiB: Record<string, number>;
  /** CPU seconds each process used during the workload (2 cores ⇒ at most 2 × wall in total). */
  cpuSeconds: Record<string, number>;
  machineCpuBusyPercent: number | undefined;
  /** Extra figures of a workload (e.g. when the stampede's last seat went). */
  notes: string[];
  unexpected: Record<string, number>;
  checks: Check[];
}

export function summarize(
  name: string,
  description: string,
  samples: Sample[],
  wallMs: number,
  resources: Resources,
  expected: Set<string>,
  checks: Check[] = [],
  notes: string[] = [],
): WorkloadResult {
  const ops = [...new Set(samples.map((s) => s.op))];
  const overall = stats(samples);
  const unexpected = Object.fromEntries(Object.entries(overall.outcomes).filter(([k]) => !expected.has(k)));
  return {
    name,
    description,
    requests: samples.length,
    wallMs: Math.round(wallMs),
    throughput: round1(samples.length / (wallMs / 1000)),
    overall,
    byOperation: Object.fromEntries(
      ops.map((op) => [
        op,
        stats(
          samples.filter((s) => s.op === op),
          true,
        ),
      ]),
    ),
    peakRssMiB: resources.peakRssMiB,
    cpuSeconds: resources.cpuSeconds,
    machineCpuBusyPercent: resources.machineCpuBusyPercent,
    notes,
    unexpected,
    checks,
  };
}
