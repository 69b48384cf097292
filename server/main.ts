import { DataDirLockedError } from '../db/dataDirLock';
import type { Config } from './config';
import { announceJobs } from './jobs/runtime';
import { createLogger, type Logger, resolveLogFormat } from './logger';
import { ListenError } from './runtime/listen';
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
  // A shared Redis means several instances are expected; each would sign with its own random key.
  if (config.redis.kind === 'redis' && config.session.secretIsEphemeral) {
    logger.warn(
      'SESSION_SECRET is not set while Redis is shared: this process signs session tokens with a random key of its own, ' +
        'so other instances (and this one after a restart) reject its tokens. Set SESSION_SECRET (32+ random characters, ' +
        'the same on every instance) or SESSION_SECRET_ID.',
    );
  }
}

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, {}, { format: resolveLogFormat(config.logFormat, config.env) });
announceMode(config, logger);
announceJobs(config, logger);

// A stray rejection or a dependency's late error must be visible, never a crash of every request in flight.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

let service: Awaited<ReturnType<typeof startService>> | undefined;
let stopRequested: NodeJS.Signals | undefined;

function stop(signal: NodeJS.Signals): void {
  if (!service) return;
  service.shutdown(signal).then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}

// Installed before starting, so a stop that arrives while the service is still starting (systemd
// stopping a unit that just started) drains once it is up, instead of killing it mid-start.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // systemd, a terminal's Ctrl-C and npm all signal the whole process group, so the same stop can
    // arrive more than once: the first one starts the shutdown, repeats are ignored.
    if (stopRequested) return;
    stopRequested = signal;
    stop(signal);
  });
}

try {
  service = await startService(config, logger);
} catch (err) {
  if (err instanceof ListenError) {
    // A taken port is a newcomer's first surprise: one sentence with the fix, not a stack.
    logger.fatal({ code: err.code, port: config.port, host: config.host }, err.message);
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  if (err instanceof DataDirLockedError) {
    // Two servers on one embedded folder would each book on their own copy of the data: refuse, say who.
    logger.fatal({ dataDir: err.dataDir, owner: err.owner }, err.message);
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  if (!(err instanceof SecretError)) throw err;
  // Like a wrong setting: a missing secret or a denied read needs the operator, not a retry.
  logger.fatal({ secretId: err.secretId }, err.message);
  process.stderr.write(`${err.message}\nRun \`npm run doctor\` for the cause and the fix.\n`);
  process.exit(1);
}
if (stopRequested) stop(stopRequested);
