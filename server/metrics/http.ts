import { Counter, Histogram } from 'prom-client';
import { metricsRegistry, PREFIX, summedGauge } from './registry';

const labelNames = ['procedure', 'status'] as const;

export const httpRequests = new Counter({
  name: `${PREFIX}http_requests_total`,
  help: 'HTTP requests answered, by tRPC procedure (each one of a batch counts) and HTTP status',
  labelNames,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: `${PREFIX}http_request_duration_seconds`,
  help: 'Time from request to the end of the response, by tRPC procedure and HTTP status',
  labelNames,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/**
 * The `procedure` labels of one request: the tRPC procedures it called (a batch names several:
 * `/api/trpc/exams.available,credits.get`), `health`/`ready` for the probes. Only known names
 * become labels, so a client cannot grow the series without bound with made-up paths.
 */
export function procedureLabels(path: string, knownProcedures: ReadonlySet<string>): string[] {
  if (path === '/api/health') return ['health'];
  if (path === '/api/ready') return ['ready'];
  const trpc = /^\/api\/trpc\/([^/]+)$/.exec(path);
  if (!trpc) return ['other'];
  const names = decodeURIComponent(trpc[1]!).split(',');
  return names.slice(0, 20).map((name) => (knownProcedures.has(name) ? name : 'unknown'));
}

/** Records one answered request under each of its procedure labels. */
export function recordHttpRequest(procedures: string[], status: number, seconds: number): void {
  for (const procedure of procedures) {
    const labels = { procedure, status: String(status) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, seconds);
  }
}

/** Reports, at scrape time, the lane's calls waiting for a turn (server/http/laneAdmission.ts). */
export const watchLaneWaiting = summedGauge(
  `${PREFIX}lane_waiting_calls`,
  'bookings.create/bookings.mine calls received and waiting for a turn (LANE_MAX_ACTIVE_CALLS are running)',
);
