import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseHandle } from '../../db/client';
import { type Config, describeRedis } from '../config';
import { createRequestListener } from '../http/frontDoor';
import { startJobsWhenReady } from '../jobs/runtime';
import { withTimeout } from '../lib/time';
import type { Logger } from '../logger';
import { startMetricsServer } from '../metrics';
import { countedSecretReader, watchPool, watchRedis } from '../metrics/dependencies';
import { type KeyValueStore, openKeyValueStore } from '../redis';
import { applyStartupSecrets, secretReaderFor } from '../secrets';
import { openConfiguredDatabase } from './database';
import { createLifecycle, type Lifecycle } from './lifecycle';
import { listen, listeningFields } from './listen';
import { gracefulShutdown } from './shutdown';
import { prepareDatabaseInBackground } from './startup';

export interface RunningService {
  server: Server;
  url: string;
  lifecycle: Lifecycle;
  database: DatabaseHandle;
  kv: KeyValueStore;
  /** Resolves when migrations (and the embedded seed) are applied. */
  databaseReady: Promise<void>;
  /** Where `/metrics` answers (METRICS_PORT); undefined when that port could not be bound. */
  metricsUrl: string | undefined;
  shutdown(reason: string): Promise<void>;
}

/** Opens the dependencies, starts listening, and prepares the database in the background. */
export async function startService(configured: Config, logger: Logger): Promise<RunningService> {
  // Redis and session secrets are needed to build the clients; a permanent failure throws SecretError.
  const reader = secretReaderFor(configured);
  const readSecret = reader && countedSecretReader(reader);
  const config = readSecret ? await applyStartupSecrets(configured, readSecret, logger) : configured;
  const database = await openConfiguredDatabase(config, logger, 'server (npm start)');
  const kv = openKeyValueStore(config.redis, logger);
  const lifecycle = createLifecycle();

  const server = createServer(
    {
      // Longer than the ALB's 60 s idle timeout, so the ALB (not us) always closes idle connections.
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // A client must send its headers, and its whole request, within these; Node answers 408 and
      // closes the socket otherwise. Checked every second (Node's default is every 30 s).
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    createRequestListener({ config, database, kv, logger, lifecycle }),
  );
  // Past the cap new sockets are dropped at once: a flood of idle or slow sockets costs a bounded
  // amount of memory and file descriptors (the unit's LimitNOFILE is far above it).
  server.maxConnections = config.http.maxConnections;
  let bound: AddressInfo;
  try {
    bound = await listen(server, config.port, config.host);
  } catch (err) {
    await kv.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
  const where = listeningFields(bound);
  const url = where.url;
  logger.info(
    { ...where, database: database.mode, redis: describeRedis(config.redis), version: config.version },
    'listening',
  );
  if (config.admin.devKeyFile)
    logger.info(
      'admin sign-in: no ADMIN_OIDC_ISSUER, so development tokens are accepted; get one with `npm run admin:token -- --email you@school --role admin`',
    );

  const metrics = await startMetricsServer(config.metrics, logger);
  const unwatch = [
    ...(database.mode === 'postgres'
      ? [watchPool('main', database.pools.main), watchPool('booking', database.pools.booking)]
      : []),
    ...(kv.mode === 'redis'
      ? [
          watchRedis(() =>
            withTimeout(kv.ping(), config.healthTimeoutMs).then(
              () => true,
              () => false,
            ),
          ),
        ]
      : []),
  ];

  const preparation = prepareDatabaseInBackground(database, config, logger, lifecycle);
  // Background jobs (docs/SYNC.md) run here unless JOBS_ENABLED=false; shutdown drains them.
  const jobs = startJobsWhenReady(database, config, logger, preparation.done, kv);
  return {
    server,
    url,
    lifecycle,
    database,
    kv,
    databaseReady: preparation.done,
    metricsUrl: metrics?.url,
    shutdown: (reason) =>
      gracefulShutdown({ server, lifecycle, logger, settings: config.shutdown, reason }, async () => {
        preparation.stop();
        for (const stop of unwatch) stop();
        await jobs.stop();
        await kv.close();
        await database.close();
        // Last: a scrape during the drain still sees the instance finishing its work.
        await metrics?.close();
      }),
  };
}
