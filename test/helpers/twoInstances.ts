import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type Client, createClient } from '../../client/src';
import { issueSessionToken } from '../../server/auth/session';
import { loadConfig } from '../../server/config';
import { lateClient } from './database';
import type { TestContact } from './factories';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './service';

/**
 * Two service instances on one database and Redis prefix, as behind the ALB, for the enclosing file:
 * started before its tests (pools of 10, a long lock wait so a race ends in its real outcome rather
 * than BUSY), stopped after them. `db` is a plain client on that database.
 */
export function useTwoInstances(env: Record<string, string> = {}) {
  let shared: (SharedResources & { release(): Promise<void> }) | undefined;
  let client: pg.Client | undefined;
  let servers: TestService[] = [];
  beforeAll(async () => {
    shared = await createSharedResources();
    client = await shared.database.connect();
    servers = await Promise.all(
      [0, 1].map(() => startTestService({ DB_POOL_MAX: '10', BOOKING_LOCK_WAIT_MS: '20000', ...env }, { shared })),
    );
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await client?.end();
    await shared?.release();
  });
  const url = (i: number) => `${servers[i % 2]!.url}/api/trpc`;
  return {
    db: lateClient(() => client, 'useTwoInstances'),
    /** A client of instance `i % 2` sending `token`. */
    clientOn: (i: number, token: string): Client => createClient({ url: url(i), getToken: () => token }),
    /** A student's client on instance `i % 2`, with a session token signed as login signs one. */
    async studentOn(i: number, contact: TestContact, name = 'Racing Student'): Promise<Client> {
      const config = loadConfig({ SESSION_SECRET: shared!.sessionSecret });
      const { token } = await issueSessionToken({ ...contact, name }, config.session);
      return createClient({ url: url(i), getToken: () => token });
    },
  };
}
