import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Sample } from './measure';
import { timedOutcome } from './measure';
import type { ResourceSampler, Resources } from './resources';

export interface Release {
  samples: Sample[];
  wallMs: number;
  resources: Resources;
  /** When each outcome was first and last answered, from the release (ms). */
  timeline: (seat: string, full: string) => string;
}

/**
 * Sends every call at the same instant, each on a connection of its own opened at the release (a
 * fresh agent: nothing kept from earlier workloads), and times the whole release from the first call
 * to the last answer. The service's release (workloads/stampede.ts) and the Node floor's
 * (ceilings/floorStampede.ts) both fire through here, so they meet the same conditions.
 */
export async function fireAtOnce(
  op: string,
  count: number,
  send: (i: number, agent: Agent) => Promise<string>,
  sampler: ResourceSampler,
): Promise<Release> {
  const agent = new Agent({ keepAlive: true });
  const samples: Sample[] = [];
  sampler.start();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => timedOutcome(samples, op, () => send(i, agent))));
  const wallMs = performance.now() - t0;
  const resources = sampler.stop();
  agent.destroy();
  const ends = (outcome: string) => samples.filter((s) => s.outcome === outcome).map((s) => s.end - t0);
  const first = (ms: number[]) => (ms.length ? String(Math.round(Math.min(...ms))) : '-');
  const last = (ms: number[]) => (ms.length ? String(Math.round(Math.max(...ms))) : '-');
  return {
    samples,
    wallMs,
    resources,
    timeline: (seat, full) =>
      `timeline from release: first seat sold ${first(ends(seat))} ms, last seat sold ${last(ends(seat))} ms, ` +
      `first ${full} ${first(ends(full))} ms, last answer ${Math.round(wallMs)} ms`,
  };
}
