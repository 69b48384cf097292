// `npm run db:seed`: inserts the demo student and demo sessions (idempotent) into the configured database.
import { migrateDatabase } from '../../db/migrate';
import { DEMO_STUDENT, seedDemoData } from '../../db/seed';
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseCliArgs } from '../cliKit/args';
import { exitWithFailure } from '../cliKit/failure';
import { describeDatabase } from '../cliKit/target';

const usage = `Usage: npm run db:seed

Applies pending migrations, then inserts the demo student and demo sessions (idempotent: a second
run inserts nothing) into the service's database: DATABASE_URL or DB_*, else the embedded PGlite
folder (PGLITE_DATA_DIR). Meant for development and demos, not production data.

Exit status: 0 seeded; 1 failed (cause and fix printed); 2 bad arguments.`;

parseCliArgs(usage, {});
const config = loadConfigOrExit();
process.stdout.write(`db:seed: ${describeDatabase(config.database)}\n`);
const database = await openConfiguredDatabase(config, createLogger('silent'), 'db:seed').catch((err: unknown) =>
  exitWithFailure('open the database', err, 'postgres'),
);
try {
  await migrateDatabase(database);
  const inserted = await seedDemoData(database.db);
  process.stdout.write(
    `db:seed: ${JSON.stringify(inserted)} inserted; log in as ${DEMO_STUDENT.studentId} / ${DEMO_STUDENT.email}\n`,
  );
} catch (err) {
  await database.close().catch(() => undefined);
  exitWithFailure('seed', err, 'postgres');
}
await database.close();
