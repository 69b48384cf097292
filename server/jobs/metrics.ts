import type PgBoss from 'pg-boss';
import type { Database } from '../../db/client';
import { outboxLagSeconds } from '../../db/queries/syncPush';
import type { Config } from '../config';
import { METRIC_NAMES, registerScrapeGauge } from '../metrics';
import { hubspotDailyRemaining } from '../sync/rateLimiter';
import { lastDrift } from '../sync/reconcile';
import { QUEUE_SPECS, QUEUES } from './queues';

/** Publishes the job queue depth and the HubSpot sync lag on /metrics of this process. */
export function registerJobMetrics(boss: PgBoss, db: Database, config: Config): void {
  registerScrapeGauge({
    name: METRIC_NAMES.jobQueueDepth,
    help: 'Jobs waiting (created or to be retried), by queue',
    labelNames: ['queue'],
    read: async () =>
      Promise.all(
        [...QUEUE_SPECS.map((s) => s.name), QUEUES.deadLetters].map(async (queue) => ({
          labels: { queue },
          value: await boss.getQueueSize(queue, { before: 'active' }),
        })),
      ),
  });
  registerScrapeGauge({
    name: METRIC_NAMES.hubspotSyncLagSeconds,
    help: 'Age of the oldest change not yet pushed to HubSpot, in seconds',
    read: async () => [{ value: await outboxLagSeconds(db, config.hubspot.maxAttempts) }],
  });
  registerScrapeGauge({
    name: METRIC_NAMES.hubspotDailyQuotaRemaining,
    help: "HubSpot's daily call quota left (HUBSPOT_DAILY_QUOTA minus the calls counted today), as this process last counted it",
    read: () => {
      const left = hubspotDailyRemaining();
      return left === undefined ? [] : [{ value: left }];
    },
  });
  registerScrapeGauge({
    name: METRIC_NAMES.hubspotDrift,
    help: 'What the last HubSpot reconciliation found out of step, by kind (stored: the same on every instance)',
    labelNames: ['kind'],
    read: async () => (await lastDrift(db)).map(({ kind, count }) => ({ labels: { kind }, value: count })),
  });
}
