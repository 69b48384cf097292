import type { DatabaseHandle } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { isEmpty, seedDemoData } from '../../db/seed';
import type { Config } from '../config';
import { rootMessage } from '../lib/errorMessage';
import { retryDelayMs, sleep } from '../lib/time';
import type { Logger } from '../logger';
import type { Lifecycle } from './lifecycle';

async function prepareOnce(database: DatabaseHandle, config: Config, logger: Logger): Promise<void> {
  if (config.migrateOnStart || database.mode === 'pglite') await migrateDatabase(database);
  if (database.mode === 'pglite' && (await isEmpty(database.db))) {
    const seeded = await seedDemoData(database.db);
    logger.info(seeded, 'embedded database was empty: seeded the demo student and demo sessions');
  }
}

/**
 * Brings the database to the committed schema, retrying with backoff while it is unreachable:
 * the server is already listening, health answers 503 meanwhile, and nothing crash-loops.
 */
export function prepareDatabaseInBackground(
  database: DatabaseHandle,
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
): { done: Promise<void>; stop(): void } {
  const stopping = new AbortController();
  const done = (async () => {
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      try {
        await prepareOnce(database, config, logger);
        lifecycle.databaseReady = true;
        lifecycle.databaseStartError = undefined;
        logger.info({ mode: database.mode }, 'database ready');
        return;
      } catch (err) {
        lifecycle.databaseStartError = rootMessage(err);
        const retryInMs = retryDelayMs(attempt);
        logger.error({ err, retryInMs }, 'database not ready; retrying');
        await sleep(retryInMs, stopping.signal).catch(() => undefined);
      }
    }
  })();
  return { done, stop: () => stopping.abort() };
}
