import type { TRPCError } from '@trpc/server';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import type { StudentSession } from '../../server/auth/session';
import { loadConfig } from '../../server/config';
import { createInnerContext, type Dependencies, dependenciesOf } from '../../server/context';
import { errorData } from '../../server/errors';
import { createLogger } from '../../server/logger';
import type { KeyValueStore } from '../../server/redis';
import { openKeyValueStore } from '../../server/redis';
import { appRouter } from '../../server/routers';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { createCallerFactory } from '../../server/trpc';
import { lateClient } from './database';
import type { TestContact } from './factories';
import { createSharedResources, type SharedResources } from './service';

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export interface CallerFixture {
  /** A plain pg client on the fixture's database, for arranging and inspecting rows. */
  db: pg.Client;
  /** Procedures called in-process as this student (the inner context a job or a CLI would build). */
  as(contact: TestContact): Caller;
  anonymous(): Caller;
}

/**
 * The router called in-process through createCallerFactory, on a database and Redis prefix of this
 * describe's own: the service's rules without HTTP, for tests where the wire adds nothing.
 */
export function useCaller(env: Record<string, string> = {}): CallerFixture {
  let resources: (SharedResources & { release(): Promise<void> }) | undefined;
  let database: DatabaseHandle | undefined;
  let kv: KeyValueStore | undefined;
  let client: pg.Client | undefined;
  let deps: Dependencies | undefined;
  beforeAll(async () => {
    resources = await createSharedResources();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: resources.database.url,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: resources.redisPrefix,
      SESSION_SECRET: resources.sessionSecret,
      // Sessions a test makes often start within a day; the cutoff's own tests set it.
      BOOKING_CUTOFF_HOURS: '0',
      ...env,
    });
    const logger = createLogger('silent');
    database = await openConfiguredDatabase(config, logger);
    kv = openKeyValueStore(config.redis, logger);
    deps = dependenciesOf({ config, database, kv, logger });
    client = new pg.Client({ connectionString: resources.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await kv?.close();
    await database?.close();
    await resources?.release();
  });
  const ready = () => {
    if (!deps) throw new Error('useCaller: call procedures inside tests and hooks');
    return deps;
  };
  const db = lateClient(() => client, 'useCaller');
  const student = (contact: TestContact): StudentSession => ({
    contactId: contact.contactId,
    studentId: contact.studentId,
    email: contact.email,
    name: 'Test Tester',
  });
  return {
    db,
    as: (contact) => createCaller(createInnerContext(ready(), student(contact))),
    anonymous: () => createCaller(createInnerContext(ready())),
  };
}

/** What the client would read at `error.data` (appCode, details, fieldErrors) for a failed call. */
export async function callerFailure(call: Promise<unknown>) {
  const err = await call.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e as TRPCError,
  );
  return { message: err.message, ...errorData(err).data };
}
