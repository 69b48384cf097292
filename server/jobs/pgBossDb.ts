import type PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client';

/**
 * pg-boss runs its SQL through the service's own database handle: the pool with its credential
 * source (Secrets Manager rotation, IAM tokens) in Postgres mode, the one PGlite connection in
 * embedded mode. pg-boss never opens connections of its own.
 */
export interface TrackedDb extends PgBoss.Db {
  /**
   * Resolves once no query of pg-boss is in flight. pg-boss does not await the query that marks a
   * job completed or failed, so shutdown waits here before it closes the pool under it.
   */
  settled(): Promise<void>;
  /**
   * Runs `work` with pg-boss's SQL sent on `client` instead of the pool: the connection that holds the
   * setup lock (engine.ts), so that the setup needs no second connection (DB_POOL_MAX may be 1).
   */
  throughClient<T>(client: SqlClient, work: () => Promise<T>): Promise<T>;
}

/** What pg-boss's SQL can be sent on besides the pool: one connection of it. */
interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function trackedPgBossDb(database: DatabaseHandle): TrackedDb {
  const db = pgBossDb(database);
  const inFlight = new Set<Promise<unknown>>();
  let via: SqlClient | undefined;
  // One query at a time on `via`: pg-boss's cron (its timekeeper, started by boss.start()) sends SQL
  // while the setup's own is still running on that connection. pg queues a second query itself but
  // warns that it will stop doing so in pg 9; queued here, the connection never sees two.
  let viaTurn: Promise<unknown> = Promise.resolve();
  const onVia = (client: SqlClient, text: string, values?: unknown[]) => {
    const query = viaTurn.then(() => client.query(text, values));
    viaTurn = query.catch(() => undefined);
    return query;
  };
  return {
    executeSql: (text, values) => {
      const query = via ? onVia(via, text, values) : db.executeSql(text, values);
      inFlight.add(query);
      const forget = () => inFlight.delete(query);
      query.then(forget, forget);
      return query;
    },
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    throughClient: async (client, work) => {
      via = client;
      try {
        return await work();
      } finally {
        via = undefined;
      }
    },
  };
}

function pgBossDb(database: DatabaseHandle): PgBoss.Db {
  if (database.mode === 'postgres') {
    const { pool } = database;
    return { executeSql: async (text, values) => pool.query(text, values) };
  }
  const { pglite } = database;
  return {
    executeSql: async (text, values) => {
      // pg-boss sends its schema plans as several statements without parameters: PGlite's exec runs those.
      if (!values || values.length === 0) {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      return pglite.query(text, values);
    },
  };
}
