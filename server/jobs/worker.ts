import { migrateDatabase } from '../../db/migrate';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { openConfiguredDatabase } from '../runtime/database';
import { startJobEngine } from './engine';
import { jobHandlers } from './handlers';

export interface RunningWorker {
  stop(reason: string): Promise<void>;
}

/**
 * The job workers as a process of their own (`npm run worker`), for deployments that keep the API
 * instances free of background work (JOBS_ENABLED=false there). Needs PostgreSQL: the embedded PGlite
 * directory belongs to the one service process that holds it.
 */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  if (config.database.kind === 'pglite') {
    throw new Error(
      'npm run worker needs PostgreSQL (DATABASE_URL or DB_HOST): in embedded mode the service runs the jobs itself',
    );
  }
  const database = await openConfiguredDatabase(config, logger);
  if (config.migrateOnStart) await migrateDatabase(database);
  const engine = await startJobEngine({ database, config, logger }, jobHandlers(config));
  logger.info('worker running');
  return {
    stop: async (reason) => {
      logger.info({ reason }, 'worker: draining jobs');
      await engine.stop();
      await database.close();
      logger.info('worker: stopped');
    },
  };
}
