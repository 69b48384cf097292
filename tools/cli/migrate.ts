// `npm run db:migrate`: applies committed migrations to the configured database, under the
// migrators' advisory lock, so it is safe to run from a deploy step while instances start.
import { migrateDatabase } from '../../db/migrate';
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { cli: 'db:migrate' });
const database = await openConfiguredDatabase(config, logger);
try {
  await migrateDatabase(database);
  logger.info({ mode: database.mode }, 'migrations applied');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await database.close();
}
