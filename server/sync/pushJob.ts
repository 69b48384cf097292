import type PgBoss from 'pg-boss';
import type { Database } from '../../db/client';
import { readSyncInstant, writeSyncInstant } from '../../db/queries/syncMetadata';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { HubSpotCallFailed } from './hubspotClient';
import { drainOutbox } from './push/drain';
import { syncContext } from './syncContext';

export interface PushJobData {
  /** Consecutive runs that found HubSpot unavailable: the next waits 2^n seconds (capped). */
  failures?: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;
/** Until when HubSpot asked us to wait (429 Retry-After, or an outage's backoff), for every instance. */
export const PAUSE = 'hubspot-push-paused-until';

/**
 * One run of the push chain: drain the outbox, then schedule the next run (a pg-boss job, so the
 * chain survives any instance): after JOBS_PUSH_INTERVAL_MS normally, after Retry-After on a 429,
 * with exponential backoff and jitter while HubSpot is down. Never fails the job for HubSpot's
 * sake: the changes wait in the outbox, bookings never notice.
 */
export async function runPush(
  deps: { db: Database; config: Config; logger: Logger; boss: PgBoss; token: string; kv?: KeyValueStore },
  data: PushJobData,
  queue: string,
): Promise<void> {
  const { db, config, logger, boss, token } = deps;
  // A run the every-minute cron started during a pause only re-arms the chain for the pause's end.
  const pausedUntil = await readSyncInstant(db, PAUSE);
  if (pausedUntil && pausedUntil.getTime() > Date.now()) {
    await boss.sendAfter(queue, data, {}, pausedUntil);
    return;
  }
  const ctx = syncContext({ db, config, logger, token, kv: deps.kv });
  let delayMs = config.jobs.pushIntervalMs;
  let failures = 0;
  try {
    const result = await drainOutbox(ctx, {
      maxAttempts: config.hubspot.maxAttempts,
      budgetMs: Math.max(5_000, (config.jobs.expireSeconds * 1000) / 4),
    });
    if (result.delivered > 0 || result.hubspotSyncLagSeconds > 0)
      logger.info({ job: queue, ...result }, 'hubspot push');
  } catch (err) {
    if (!(err instanceof HubSpotCallFailed) || err.failure.kind === 'rejected') throw err;
    if (err.failure.kind === 'rate-limited') {
      delayMs = err.failure.retryAfterMs;
    } else {
      failures = (data.failures ?? 0) + 1;
      const exp = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures);
      delayMs = exp / 2 + Math.random() * (exp / 2);
    }
    logger.warn({ job: queue, failure: err.failure, retryInMs: Math.round(delayMs) }, 'hubspot push paused');
    await writeSyncInstant(db, PAUSE, new Date(Date.now() + delayMs));
  }
  await boss.sendAfter(queue, { failures }, {}, new Date(Date.now() + delayMs));
}
