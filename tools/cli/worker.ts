// `npm run worker`: the background jobs (HubSpot sync, scheduled activation, completion) as their
// own process. SIGTERM/SIGINT let running jobs finish, then exit 0 (docs/SYNC.md).
import { announceJobs } from '../../server/jobs/runtime';
import { startWorker } from '../../server/jobs/worker';
import { createLogger } from '../../server/logger';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseCliArgs } from '../cliKit/args';

parseCliArgs(
  `Usage: npm run worker

Runs the background jobs (HubSpot sync, scheduled activation, completion) on the service's
database (DATABASE_URL or DB_*). SIGTERM/SIGINT let running jobs finish, then exit 0. docs/SYNC.md.`,
  {},
);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, { cli: 'worker' });
announceJobs(config, logger, { inProcess: false });

let worker: Awaited<ReturnType<typeof startWorker>>;
try {
  worker = await startWorker(config, logger);
} catch (err) {
  logger.fatal({ err }, 'worker could not start');
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    worker.stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'worker: shutdown failed');
        process.exit(1);
      },
    );
  });
}
