import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createClient } from '../../client/src';
import { loadConfig } from '../../server/config';
import { createLogger, type Logger } from '../../server/logger';
import { type RunningService, startService } from '../../server/runtime/service';
import { createTestDatabase, lateClient, type TestDatabase } from './database';
import { deleteKeys, uniqueRedisPrefix } from './redis';

export interface TestService {
  service: RunningService;
  database: TestDatabase;
  redisPrefix: string;
  client: ReturnType<typeof createClient>;
  url: string;
  stop(): Promise<void>;
}

export interface SharedResources {
  database: TestDatabase;
  redisPrefix: string;
  sessionSecret: string;
}

/** A database, Redis prefix and session secret several instances can share, like a real deployment. */
export async function createSharedResources(): Promise<SharedResources & { release(): Promise<void> }> {
  const database = await createTestDatabase();
  const redisPrefix = uniqueRedisPrefix();
  return {
    database,
    redisPrefix,
    sessionSecret: randomBytes(32).toString('base64url'),
    async release() {
      await database.drop();
      await deleteKeys(redisPrefix);
    },
  };
}

/**
 * The real service, in this process. By default on a database and Redis prefix of its own; pass
 * `shared` to run several instances on the same ones. `env` overrides the configuration exactly as
 * environment variables would (e.g. REDIS_URL at a dead port).
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: { waitForDatabase?: boolean; shared?: SharedResources; logger?: Logger } = {},
): Promise<TestService> {
  const owned = options.shared ? undefined : await createSharedResources();
  const { database, redisPrefix, sessionSecret } = options.shared ?? owned!;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: redisPrefix,
    SESSION_SECRET: sessionSecret,
    HEALTH_TIMEOUT_MS: '1000',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    // Background jobs would poll every test's database; the tests of jobs and sync switch them on.
    JOBS_ENABLED: 'false',
    // Sessions a test makes often start within a day; the cutoff's own tests set it.
    BOOKING_CUTOFF_HOURS: '0',
    ...env,
  });
  const service = await startService(config, options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  if (options.waitForDatabase !== false) await service.databaseReady;
  return {
    service,
    database,
    redisPrefix,
    url: service.url,
    client: createClient({ url: `${service.url}/api/trpc` }),
    async stop() {
      await service.shutdown('test finished');
      await owned?.release();
    },
  };
}

/** A running test service together with a plain pg client on its database, for arranging rows. */
export interface ServiceUnderTest extends TestService {
  db: pg.Client;
}

/**
 * The service the enclosing `describe` (or file) tests: started before its tests with `env`, a pg
 * client connected to its database as `db`, both closed after them. The fields are read inside
 * tests and hooks, once the service is up; `db` may be taken at once (`const { db } = s`): it
 * forwards to the client connected in beforeAll.
 */
export function useTestService(
  env: Record<string, string> = {},
  options: { shared?: SharedResources; logger?: Logger } = {},
): ServiceUnderTest {
  let running: ServiceUnderTest | undefined;
  beforeAll(async () => {
    const service = await startTestService(env, options);
    running = { ...service, db: await service.database.connect() };
  });
  afterAll(async () => {
    await running?.db.end();
    await running?.stop();
  });
  const current = (): ServiceUnderTest => {
    if (!running) throw new Error('useTestService: its fields are ready inside tests and hooks, not at collection');
    return running;
  };
  const db = lateClient(() => running?.db, 'useTestService');
  return {
    db,
    get service() {
      return current().service;
    },
    get database() {
      return current().database;
    },
    get redisPrefix() {
      return current().redisPrefix;
    },
    get client() {
      return current().client;
    },
    get url() {
      return current().url;
    },
    stop: () => current().stop(),
  };
}

/** A service of its own for one test (other settings than the file's), stopped whatever happens. */
export async function withTestService<T>(
  env: Record<string, string>,
  work: (service: ServiceUnderTest) => Promise<T>,
): Promise<T> {
  const service = await startTestService(env);
  const db = await service.database.connect();
  try {
    return await work({ ...service, db });
  } finally {
    await db.end();
    await service.stop();
  }
}
