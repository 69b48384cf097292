import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { loadConfigOrExit } from './runtime/loadConfigOrExit';
import { startService } from './runtime/service';
import { SecretError } from './secrets';

function announceMode(config: Config, logger: Logger): void {
  if (config.database.kind === 'pglite') {
    logger.warn(
      { dataDir: config.database.dataDir },
      'EMBEDDED SINGLE-INSTANCE MODE: PostgreSQL is an embedded PGlite database in the data directory and locks/caches are in-process. ' +
        'Run only one instance like this. To use real services set DATABASE_URL (or DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD) and REDIS_URL (or REDIS_HOST).',
    );
  } else if (config.redis.kind === 'memory') {
    logger.warn(
      'No REDIS_URL/REDIS_HOST: locks, counters and rate limits are per process. Run a single instance, or set REDIS_URL.',
    );
  }
}

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
announceMode(config, logger);

// A stray rejection or a dependency's late error must be visible, never a crash of every request in flight.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let service: Awaited<ReturnType<typeof startService>>;
try {
  service = await startService(config, logger);
} catch (err) {
  if (!(err instanceof SecretError)) throw err;
  // Like a wrong setting: a missing secret or a denied read needs the operator, not a retry.
  logger.fatal({ secretId: err.secretId }, err.message);
  process.stderr.write(`${err.message}\nRun \`npm run doctor\` for the cause and the fix.\n`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // systemd, a terminal's Ctrl-C and npm all signal the whole process group, so the same stop can
    // arrive more than once: the first one starts the shutdown, repeats are ignored.
    if (stopping) return;
    stopping = true;
    service.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
