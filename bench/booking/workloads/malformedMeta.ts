import { performance } from 'node:perf_hooks';
import type { ServerProcess } from '../cleanup';
import { runPool, type Sample, summarize, type WorkloadResult } from '../measure';
import { cpuSeconds, type ResourceSampler } from '../resources';
import { log } from '../settings';

/**
 * Issue 18 item 1: a superjson `meta` crafted to make superjson recurse cost ~20 ms of CPU per call
 * (10 per batched URL), unauthenticated. This measures the server's CPU time per request for that
 * input and for an ordinary validation failure (an empty `location`), one after the other on one
 * instance, from /proc/<pid>/stat (10 ms ticks, so many requests per side). The check: the crafted
 * request costs no more than twice an ordinary refusal (both are 400s that never reach the database).
 */
export const MALFORMED_META_REQUESTS = 500;
const IN_FLIGHT = 10;

const queryUrl = (server: ServerProcess, input: unknown) =>
  `${server.url}/api/trpc/exams.available?input=${encodeURIComponent(JSON.stringify(input))}`;

const MALFORMED = { json: { location: 'x' }, meta: { values: { location: ['class', 'F'] } } };
const ORDINARY = { json: { location: '' } };

async function cpuPerRequest(server: ServerProcess, label: string, url: string, samples: Sample[]) {
  const before = cpuSeconds(server.pid);
  await runPool(
    Array.from({ length: MALFORMED_META_REQUESTS }, () => async () => {
      const t0 = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      const end = performance.now();
      samples.push({ op: label, ms: end - t0, outcome: `HTTP ${res.status}`, end });
    }),
    IN_FLIGHT,
  );
  const after = cpuSeconds(server.pid);
  return before === undefined || after === undefined ? undefined : ((after - before) * 1000) / MALFORMED_META_REQUESTS;
}

export async function malformedMetaCost(server: ServerProcess, sampler: ResourceSampler): Promise<WorkloadResult> {
  const samples: Sample[] = [];
  sampler.start();
  const t0 = performance.now();
  const ordinary = await cpuPerRequest(server, 'ordinary validation failure', queryUrl(server, ORDINARY), samples);
  const malformed = await cpuPerRequest(server, 'malformed superjson meta', queryUrl(server, MALFORMED), samples);
  const wall = performance.now() - t0;
  const figure = (ms: number | undefined) => (ms === undefined ? '?' : `${ms.toFixed(3)} ms`);
  const note = `${server.name} CPU per request: ordinary validation failure ${figure(ordinary)}, malformed meta ${figure(malformed)}`;
  log(note);
  return summarize(
    'malformed-meta',
    `${MALFORMED_META_REQUESTS} ordinary validation failures, then ${MALFORMED_META_REQUESTS} crafted superjson metas, ${IN_FLIGHT} in flight, one instance`,
    samples,
    wall,
    sampler.stop(),
    new Set(['HTTP 400']),
    [
      {
        name: 'a crafted meta costs no more than twice an ordinary validation failure',
        pass: ordinary !== undefined && malformed !== undefined && malformed <= 2 * Math.max(ordinary, 0.05),
        detail: `${figure(malformed)} vs ${figure(ordinary)} of server CPU per request`,
      },
    ],
    [note],
  );
}
