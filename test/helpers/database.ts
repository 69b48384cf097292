import pg from 'pg';
import { inject } from 'vitest';
import { databaseUrlFor } from '../../db/databaseUrl';

export interface TestDatabase {
  name: string;
  url: string;
  /** A plain pg client on this database, for arranging and inspecting rows behind the service's back. */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

let sequence = 0;

/** A unique name under this run's prefix, so the global teardown can find leftovers. */
export const uniqueName = (kind: string) => `mbt_${inject('runId')}_${kind}_${process.pid}_${++sequence}`;

async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh database of this test's own: cloned from the run's migrated template, or empty when the
 * test is about migrations themselves.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = uniqueName('db');
  const template = options.migrated === false ? 'template0' : inject('templateDatabase');
  await asAdmin((admin) => admin.query(`create database "${name}" template "${template}"`));
  const url = databaseUrlFor(inject('postgresAdminUrl'), name);
  return {
    name,
    url,
    async connect() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    },
    drop: () => asAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/**
 * A pg.Client that can be handed out before it exists (at collection time, `const { db } = …`): every
 * use is forwarded to the client `current()` returns once a beforeAll has connected it.
 */
export function lateClient(current: () => pg.Client | undefined, owner: string): pg.Client {
  return new Proxy({} as pg.Client, {
    get(_, property) {
      const client = current();
      if (!client) throw new Error(`${owner}: its database client is ready inside tests and hooks`);
      const value = Reflect.get(client, property, client);
      return typeof value === 'function' ? value.bind(client) : value;
    },
  });
}
