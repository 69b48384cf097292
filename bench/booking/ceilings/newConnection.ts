import { performance } from 'node:perf_hooks';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database } from '../../../db/client';
import { bookSeat } from '../../../db/queries/bookSeat';
import { percentile, round1 } from '../measure';
import { SPREAD_SESSIONS, STUDENTS } from '../settings';
import { PGBENCH_BOOKING_ARGS } from './pgbench';

/** Fresh connections measured, one at a time, on an otherwise idle machine. */
const CONNECTIONS = 10;

export interface NewConnectionCost {
  connections: number;
  /** Medians, ms: opening the connection, its first book_seat, and its second. */
  connectMs: number;
  firstBookingMs: number;
  secondBookingMs: number;
}

/**
 * What a booking connection costs when the pool has to open it: the connection itself (a backend
 * started, the login) and its first book_seat, which Postgres compiles (PL/pgSQL) and plans once per
 * backend, against the second on the same connection. It is why the booking pool keeps its
 * connections when idle (DB_BOOKING_POOL_MIN, docs/OPERATIONS.md §3): a release after a quiet spell
 * would otherwise pay it for every connection in its first second. The service's own statement
 * (db/queries/bookSeat.ts, prepared as the service prepares it), on pgbench's students and sessions.
 */
export async function newConnectionCost(databaseUrl: string): Promise<NewConnectionCost> {
  const [detailsByType, rulesByType, session] = PGBENCH_BOOKING_ARGS;
  const connect: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const booking = (db: Database, n: number) =>
      bookSeat(db, {
        examId: `pgb-cs-${1 + ((i * 7 + n) % SPREAD_SESSIONS)}`,
        contactId: `pgb-c-${1 + ((i * 131 + n * 17) % STUDENTS)}`,
        idempotencyKey: null,
        now: new Date(),
        cutoffMs: 0,
        detailsByType,
        rulesByType,
        session,
      });
    const client = new pg.Client({ connectionString: databaseUrl });
    const t0 = performance.now();
    await client.connect();
    const t1 = performance.now();
    try {
      const db = drizzle({ client }) as unknown as Database;
      await booking(db, 1);
      const t2 = performance.now();
      await booking(db, 2);
      const t3 = performance.now();
      connect.push(t1 - t0);
      first.push(t2 - t1);
      second.push(t3 - t2);
    } finally {
      await client.end();
    }
  }
  const median = (ms: number[]) =>
    round1(
      percentile(
        [...ms].sort((a, b) => a - b),
        50,
      ),
    );
  return {
    connections: CONNECTIONS,
    connectMs: median(connect),
    firstBookingMs: median(first),
    secondBookingMs: median(second),
  };
}
