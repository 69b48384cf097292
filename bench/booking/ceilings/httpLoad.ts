import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isAborting } from '../cleanup';
import { type HttpAnswer, type LoadRequest, send } from '../httpRequest';
import { requests, type Sample } from '../measure';

/**
 * Closed loop: `inFlight` workers each send requests back to back for `seconds`, the next one made by
 * `next`; one Sample per answer, named by `outcome`. node:http rather than fetch: the load generator
 * shares the two cores with what it measures, so it should cost as little as it can.
 */
export async function closedLoop(
  op: string,
  next: () => LoadRequest,
  outcome: (answer: HttpAnswer) => string,
  inFlight: number,
  seconds: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const samples: Sample[] = [];
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until && !isAborting()) {
      const loadRequest = next();
      const start = performance.now();
      requests.inFlight++;
      try {
        const res = await send(agent, loadRequest);
        const end = performance.now();
        samples.push({ op, ms: end - start, outcome: outcome(res), end });
      } catch (err) {
        const end = performance.now();
        samples.push({ op, ms: end - start, outcome: `Error(${(err as Error).message.slice(0, 60)})`, end });
      } finally {
        requests.inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { samples, wallMs };
}

/** closedLoop of GETs round robin over `urls`, `ok` for a 200. */
export function closedLoopGets(
  op: string,
  urls: string[],
  headers: Record<string, string>,
  inFlight: number,
  seconds: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  let next = 0;
  return closedLoop(
    op,
    () => ({ url: urls[next++ % urls.length]!, method: 'GET', headers }),
    (res) => (res.status === 200 ? 'ok' : `HTTP ${res.status}`),
    inFlight,
    seconds,
  );
}
