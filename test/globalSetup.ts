import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../db/client';
import { databaseUrlFor } from '../db/databaseUrl';
import { migrateDatabase } from '../db/migrate';
import { loadConfig } from '../server/config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Postgres URL with the right to create and drop databases. */
    postgresAdminUrl: string;
    redisUrl: string;
    /** Unique per test run: prefixes every database and Redis key this run creates. */
    runId: string;
    /** A database with all migrations applied, cloned by tests that need a ready schema. */
    templateDatabase: string;
  }
}

interface Services {
  postgresAdminUrl: string;
  redisUrl: string;
  source: string;
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Probing a container runtime that is not there is slow; only try when one is plausibly present. */
function containerRuntimeLikely(): boolean {
  return Boolean(
    process.env.DOCKER_HOST ||
      process.env.TESTCONTAINERS_HOST_OVERRIDE ||
      existsSync('/var/run/docker.sock') ||
      existsSync(join(homedir(), '.docker', 'run', 'docker.sock')),
  );
}

async function startContainers(): Promise<Services | undefined> {
  if (!containerRuntimeLikely()) return undefined;
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const postgres = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const redis = await new GenericContainer('redis:7-alpine')
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return {
    postgresAdminUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

/** TEST_DATABASE_URL/TEST_REDIS_URL, else containers, else the local defaults, else a clear failure. */
async function findServices(): Promise<Services> {
  const noop = async () => undefined;
  if (process.env.TEST_DATABASE_URL || process.env.TEST_REDIS_URL) {
    const postgresAdminUrl = process.env.TEST_DATABASE_URL ?? LOCAL_POSTGRES;
    const redisUrl = process.env.TEST_REDIS_URL ?? LOCAL_REDIS;
    if (!(await postgresReachable(postgresAdminUrl)))
      throw new Error(`TEST_DATABASE_URL (${postgresAdminUrl}) is not reachable`);
    if (!(await redisReachable(redisUrl))) throw new Error(`TEST_REDIS_URL (${redisUrl}) is not reachable`);
    return { postgresAdminUrl, redisUrl, source: 'TEST_DATABASE_URL/TEST_REDIS_URL', stop: noop };
  }
  const containers = await startContainers();
  if (containers) return containers;
  const [pgUp, redisUp] = await Promise.all([postgresReachable(LOCAL_POSTGRES), redisReachable(LOCAL_REDIS)]);
  if (pgUp && redisUp)
    return { postgresAdminUrl: LOCAL_POSTGRES, redisUrl: LOCAL_REDIS, source: 'local services', stop: noop };
  throw new Error(
    [
      'The tests need a real PostgreSQL and Redis, and found none:',
      `  - TEST_DATABASE_URL / TEST_REDIS_URL are not set,`,
      `  - no container runtime for testcontainers (Docker/Podman socket or DOCKER_HOST),`,
      `  - local defaults: PostgreSQL at 127.0.0.1:5432 ${pgUp ? 'is up' : 'is not reachable'}, Redis at 127.0.0.1:6379 ${redisUp ? 'is up' : 'is not reachable'}.`,
      'Provide one of them, e.g. TEST_DATABASE_URL=postgres://postgres@host:5432/postgres TEST_REDIS_URL=redis://host:6379 npm test',
      '(the tests create and drop their own databases; the URL must allow CREATE DATABASE).',
    ].join('\n'),
  );
}

async function dropRunDatabases(adminUrl: string, runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [
      `mbt_${runId}_%`,
    ]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  const services = await findServices();
  const runId = randomBytes(4).toString('hex');
  const templateDatabase = `mbt_${runId}_template`;

  const admin = new pg.Client({ connectionString: services.postgresAdminUrl });
  await admin.connect();
  await admin.query(`create database "${templateDatabase}"`);
  await admin.end();
  const templateConfig = loadConfig({
    DATABASE_URL: databaseUrlFor(services.postgresAdminUrl, templateDatabase),
  }).database;
  if (templateConfig.kind !== 'postgres') throw new Error('unreachable: DATABASE_URL selects postgres');
  const template = openPostgres(templateConfig, console);
  await migrateDatabase(template);
  await template.close();

  // Built once here: the package test packs client/dist and the browser test bundles it, side by side.
  execFileSync(process.execPath, ['--import', 'tsx', 'client/scripts/build.ts'], {
    cwd: new URL('../', import.meta.url),
    stdio: 'ignore',
  });

  console.log(`[test setup] PostgreSQL and Redis from ${services.source}; run ${runId}`);
  project.provide('postgresAdminUrl', services.postgresAdminUrl);
  project.provide('redisUrl', services.redisUrl);
  project.provide('runId', runId);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    // Whatever a crashed test file left behind goes too; nothing outside this run is touched.
    await dropRunDatabases(services.postgresAdminUrl, runId);
    const redis = new Redis(services.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `mbt:${runId}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    await services.stop();
  };
}
