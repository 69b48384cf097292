import { Gauge } from 'prom-client';
import { metricsRegistry, PREFIX } from './registry';

export { metricsRegistry, PREFIX } from './registry';
export { type MetricsServer, startMetricsServer } from './server';

/**
 * Names kept for series other modules own; register them with `registerScrapeGauge`:
 * - jobQueueDepth: jobs waiting per queue (label `queue`), from the job engine;
 * - hubspotSyncLagSeconds: age of the oldest change not yet pushed to HubSpot (same quantity as
 *   the `hubspotSyncLagSeconds` log field the CloudWatch alarm reads, infra/lib/alarms.ts);
 * - hubspotDrift: what the last reconciliation found out of step, per kind (the sync's).
 */
export const METRIC_NAMES = {
  jobQueueDepth: `${PREFIX}job_queue_depth`,
  hubspotSyncLagSeconds: `${PREFIX}hubspot_sync_lag_seconds`,
  /** Differences the last HubSpot reconciliation found, by kind (label `kind`). */
  hubspotDrift: `${PREFIX}hubspot_drift`,
  /** HubSpot's daily call quota left (counted across instances), as last seen by this process. */
  hubspotDailyQuotaRemaining: `${PREFIX}hubspot_daily_quota_remaining`,
} as const;

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

const readers = new Map<string, () => Promise<Sample[]> | Sample[]>();

/**
 * The way for code outside this folder (the sync helper's job engine and HubSpot sync) to publish a
 * number it owns: a gauge whose value `read` returns at scrape time, e.g.
 *
 *   registerScrapeGauge({ name: METRIC_NAMES.jobQueueDepth, help: 'Jobs waiting, by queue',
 *     labelNames: ['queue'], read: async () => (await queueSizes()).map(([queue, n]) => ({ labels: { queue }, value: n })) });
 *
 * Registering a name again replaces its reader (a restarted engine in the same process). It shows
 * on `/metrics` of the process that registers it: the web service's METRICS_PORT, or the worker's
 * own listener if it starts one with `startMetricsServer`.
 */
export function registerScrapeGauge(options: {
  name: string;
  help: string;
  labelNames?: string[];
  read: () => Promise<Sample[]> | Sample[];
}): void {
  const known = readers.has(options.name);
  readers.set(options.name, options.read);
  if (known) return;
  const { name } = options;
  new Gauge({
    name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [metricsRegistry],
    async collect() {
      const samples = await readers.get(name)!();
      this.reset();
      for (const { labels, value } of samples) {
        if (labels) this.set(labels, value);
        else this.set(value);
      }
    },
  });
}
