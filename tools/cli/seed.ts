// `npm run db:seed`: inserts the demo student and demo sessions (idempotent) into the configured database.
import { migrateDatabase } from '../../db/migrate';
import { DEMO_STUDENT, seedDemoData } from '../../db/seed';
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { cli: 'db:seed' });
const database = await openConfiguredDatabase(config, logger);
try {
  await migrateDatabase(database);
  const inserted = await seedDemoData(database.db);
  logger.info(
    { inserted, login: { studentId: DEMO_STUDENT.studentId, email: DEMO_STUDENT.email } },
    'demo data seeded',
  );
} catch (err) {
  logger.error({ err }, 'seeding failed');
  process.exitCode = 1;
} finally {
  await database.close();
}
