import type { DatabaseHandle } from '../../db/client';
import type { Config } from '../config';
import { retryDelayMs, sleep } from '../lib/time';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { type JobEngine, startJobEngine } from './engine';
import { jobHandlers } from './handlers';

/** Says at start what runs in the background, so "sync is off" is among the first log lines. */
export function announceJobs(config: Config, logger: Logger, { inProcess = true } = {}): void {
  if (!config.hubspot.enabled) {
    logger.warn(
      'HubSpot sync is OFF: no HUBSPOT_TOKEN or HUBSPOT_TOKEN_SECRET_ID. Bookings work; their changes wait in the ' +
        'outbox (sync_outbox) and reach HubSpot once a token is configured (docs/SYNC.md).',
    );
  }
  if (inProcess && !config.jobs.enabled) {
    logger.info('JOBS_ENABLED=false: this instance runs no background jobs; run them with `npm run worker`.');
  }
}

export interface RunningJobs {
  stop(): Promise<void>;
}

/**
 * Starts the workers inside this process once the database is migrated (JOBS_ENABLED, the default).
 * A failure to start is logged and retried with backoff: bookings never depend on jobs.
 */
export function startJobsWhenReady(
  database: DatabaseHandle,
  config: Config,
  logger: Logger,
  databaseReady: Promise<void>,
  kv?: KeyValueStore,
): RunningJobs {
  if (!config.jobs.enabled) return { stop: async () => undefined };
  const stopping = new AbortController();
  const engine = (async (): Promise<JobEngine | undefined> => {
    await databaseReady;
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      try {
        return await startJobEngine({ database, config, logger, kv }, jobHandlers(config));
      } catch (err) {
        const retryInMs = retryDelayMs(attempt);
        logger.error({ err, retryInMs }, 'jobs: could not start; bookings are unaffected; retrying');
        await sleep(retryInMs, stopping.signal).catch(() => undefined);
      }
    }
    return undefined;
  })();
  return {
    stop: async () => {
      stopping.abort();
      await (await engine)?.stop();
    },
  };
}
