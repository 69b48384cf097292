import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * The process's one registry. Metrics are process-wide facts (pools, queues, the event loop), so
 * every module records into this one; `/metrics` on METRICS_PORT serves it (server/metrics/server.ts).
 * Its own registry, not prom-client's global one, so no library can add series behind our back.
 */
export const metricsRegistry = new Registry();

/** Every series of ours starts with this; the default process metrics keep their standard names. */
export const PREFIX = 'mocks_booking_';

/**
 * A gauge read at scrape time as the sum of what its sources report (one per queue the process has);
 * returns the function that adds a source.
 */
export function summedGauge(name: string, help: string): (read: () => number) => void {
  const sources = new Set<() => number>();
  new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    collect() {
      let sum = 0;
      for (const read of sources) sum += read();
      this.set(sum);
    },
  });
  return (read) => {
    sources.add(read);
  };
}

let processMetricsOn = false;

/** Node's default process metrics (CPU, RSS, heap, event-loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}
