import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` while this process holds a session advisory lock on `key`, taken on a connection of
 * its own, so that instances starting together do their one-time setup one after the other: the
 * second finds what the first made. `work` gets that connection; it may query through the pool too.
 */
export async function withAdvisoryLock<T>(
  pool: Pool,
  key: bigint,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [key.toString()]);
    try {
      return await work(client);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [key.toString()]);
    }
  } finally {
    client.release();
  }
}
