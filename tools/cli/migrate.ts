// `npm run db:migrate`: applies committed migrations to the configured database, under the
// migrators' advisory lock, so it is safe to run from a deploy step while instances start.
import { migrateDatabase } from '../../db/migrate';
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseCliArgs } from '../cliKit/args';
import { exitWithFailure } from '../cliKit/failure';
import { describeDatabase } from '../cliKit/target';

const usage = `Usage: npm run db:migrate

Applies the committed migrations (db/migrations) that the database has not applied yet, under an
advisory lock (safe while instances start). The database is the service's: DATABASE_URL or DB_*,
else the embedded PGlite folder (PGLITE_DATA_DIR). Says which database and how many it applied.

Exit status: 0 up to date; 1 failed (cause and fix printed); 2 bad arguments.`;

parseCliArgs(usage, {});
const config = loadConfigOrExit();
process.stdout.write(`db:migrate: ${describeDatabase(config.database)}\n`);
const database = await openConfiguredDatabase(config, createLogger('silent'), 'db:migrate').catch((err: unknown) =>
  exitWithFailure('open the database', err, 'postgres'),
);
try {
  const applied = await migrateDatabase(database);
  process.stdout.write(
    applied === 0 ? 'db:migrate: 0 pending, nothing applied\n' : `db:migrate: applied ${applied} migration(s)\n`,
  );
} catch (err) {
  await database.close().catch(() => undefined);
  exitWithFailure('migrate', err, 'migrations');
}
await database.close();
