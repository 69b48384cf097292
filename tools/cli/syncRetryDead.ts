// `npm run sync:retry-dead`: requeues dead letters (spent jobs, outbox changes set aside) (docs/SYNC.md).
import { createLogger } from '../../server/logger';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { retryDeadLetters } from '../../server/sync/status';
import { parseCliArgs } from '../cliKit/args';
import { exitWithFailure } from '../cliKit/failure';

const usage = `Usage: npm run sync:retry-dead

Requeues the dead letters: jobs whose retries are spent run again (their dead-letter notices are
cleared), and outbox changes HubSpot refused HUBSPOT_MAX_ATTEMPTS times get their attempts back, so
the next push sends them. Fix the cause first (docs/OPERATIONS.md, "HubSpot"): what failed for the
same reason fails again.

Exit status: 0 requeued (possibly nothing); 1 failed (cause and fix printed); 2 bad arguments.`;

parseCliArgs(usage, {});
const config = loadConfigOrExit();
const database = await openConfiguredDatabase(config, createLogger('silent')).catch((err: unknown) =>
  exitWithFailure('open the database', err, 'postgres'),
);
try {
  const requeued = await retryDeadLetters(database, config);
  process.stdout.write(
    `sync:retry-dead: ${requeued.jobs} job(s) and ${requeued.outboxRows} outbox change(s) requeued\n`,
  );
} catch (err) {
  await database.close().catch(() => undefined);
  exitWithFailure('requeue the dead letters', err, 'postgres');
}
await database.close();
