import type { DatabaseHandle } from '../../db/client';
import { type Config, loadConfig } from '../../server/config';
import { type JobEngine, type JobHandler, startJobEngine } from '../../server/jobs/engine';
import { jobHandlers } from '../../server/jobs/handlers';
import type { QueueName } from '../../server/jobs/queues';
import { createLogger, type Logger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';

export interface TestInstance {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  engine: JobEngine;
  /** Stops the workers (gracefully) and closes the database. */
  stop(): Promise<void>;
}

/** Settings that make pg-boss's clocks tick fast enough for a test to watch them. */
export const fastJobs = {
  JOBS_MAINTENANCE_INTERVAL_SECONDS: '1',
  JOBS_CRON_MONITOR_INTERVAL_SECONDS: '1',
};

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...fastJobs,
    ...env,
  });
}

/**
 * One "instance" of the service's background side: its own pool on the shared database and its own
 * pg-boss workers, with the configured handlers or `handlers` in their place.
 */
export async function startInstance(
  databaseUrl: string,
  env: Record<string, string> = {},
  handlers?: Partial<Record<QueueName, JobHandler>>,
): Promise<TestInstance> {
  const config = testConfig(databaseUrl, env);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const database = await openConfiguredDatabase(config, logger);
  const engine = await startJobEngine({ database, config, logger }, handlers ?? jobHandlers(config));
  return {
    config,
    logger,
    database,
    engine,
    stop: async () => {
      await engine.stop();
      await database.close();
    },
  };
}
