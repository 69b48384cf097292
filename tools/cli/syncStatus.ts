// `npm run sync:status [-- --json]`: the HubSpot sync and job queues at a glance (docs/SYNC.md).
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { collectSyncStatus, formatSyncStatus } from '../../server/sync/status';
import { parseCliArgs } from '../cliKit/args';
import { exitWithFailure } from '../cliKit/failure';

const usage = `Usage: npm run sync:status [-- --json]

Per job queue: jobs waiting, running, the oldest waiting, the last success and the failures of the
last 24 hours; dead letters (jobs and outbox changes set aside); the outbox's backlog; the cursor of
each HubSpot pull. Reads the service's database (DATABASE_URL or DB_*); changes nothing.

  --json   the same as one JSON document

Exit status: 0 shown; 1 failed (cause and fix printed); 2 bad arguments.`;

const args = parseCliArgs(usage, { json: { type: 'boolean' } });
const config = loadConfigOrExit();
const database = await openConfiguredDatabase(config, createLogger('silent')).catch((err: unknown) =>
  exitWithFailure('open the database', err, 'postgres'),
);
try {
  const status = await collectSyncStatus(database, config);
  process.stdout.write(`${args.json ? JSON.stringify(status, null, 2) : formatSyncStatus(status)}\n`);
} catch (err) {
  await database.close().catch(() => undefined);
  exitWithFailure('read the sync status', err, 'postgres');
}
await database.close();
