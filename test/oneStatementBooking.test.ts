import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { loadConfig } from '../server/config';
import { createInnerContext, type Dependencies, type StudentContext } from '../server/context';
import { DomainError } from '../server/errors';
import { createLogger } from '../server/logger';
import { type KeyValueStore, openKeyValueStore } from '../server/redis';
import { openConfiguredDatabase } from '../server/runtime/database';
import { bookInOneStatement } from '../server/services/bookInOneStatement';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { examCounts, insertContact, insertExam, inTurn, type TestContact } from './helpers/factories';
import { DEAD_PORT } from './helpers/redis';

/**
 * The one-statement booking (book_seat) called straight, with no lock of any kind around it: no Redis
 * lock (Redis is a dead port) and no local queue (the service's withLock is not on this path). Only
 * the function's own row locks stand between 40 students and 8 seats.
 */
let database: TestDatabase;
let handle: DatabaseHandle;
let kv: KeyValueStore;
let db: pg.Client;
let deps: Dependencies;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}`,
    BOOKING_CUTOFF_HOURS: '0',
    DB_BOOKING_POOL_MAX: '20',
  });
  const logger = createLogger('silent');
  handle = await openConfiguredDatabase(config, logger);
  kv = openKeyValueStore(config.redis, logger);
  deps = {
    config,
    db: handle.db,
    bookingTransaction: handle.bookingTransaction,
    bookingDb: handle.bookingDb,
    kv,
    logger,
  };
  db = await database.connect();
});
afterAll(async () => {
  await db?.end();
  await kv?.close();
  await handle?.close();
  await database?.drop();
});

const contextFor = (contact: TestContact): StudentContext =>
  createInnerContext(deps, {
    contactId: contact.contactId,
    studentId: contact.studentId,
    email: contact.email,
    name: 'Test Tester',
  }) as StudentContext;

async function tally(calls: Array<Promise<unknown>>) {
  const counts: Record<string, number> = {};
  for (const result of await Promise.allSettled(calls)) {
    const key =
      result.status === 'fulfilled'
        ? 'ok'
        : result.reason instanceof DomainError
          ? result.reason.code
          : `unexpected: ${String(result.reason)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('the one-statement booking without any lock', () => {
  it('40 students at once on 8 seats: exactly 8 bookings, 8 credits, 32 EXAM_FULL', async () => {
    const contacts = await inTurn(40, () => insertContact(db, { cs_credits: 1 }));
    const examId = await insertExam(db, { capacity: 8 });

    const counts = await tally(
      contacts.map((c) => bookInOneStatement(contextFor(c), { examId, dominantHand: 'Right' }, undefined)),
    );

    expect(counts).toEqual({ ok: 8, EXAM_FULL: 32 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 8, active: 8 });
    const { rows } = await db.query<{ spent: number }>(
      'select count(*) filter (where cs_credits = 0)::int as spent from hubspot_contact_credits where hubspot_id = any($1)',
      [contacts.map((c) => c.contactId)],
    );
    expect(rows[0]!.spent).toBe(8);
  });

  it('one student with one credit, 10 sessions at once: one booking, 9 INSUFFICIENT_CREDITS', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    // Days apart: neither the duplicate rule (same type, same date) nor an overlap decides, only the credit.
    const examIds = await inTurn(10, (i) => insertExam(db, { capacity: 8, startsInHours: 30 * 24 + 24 * i }));

    const counts = await tally(
      examIds.map((examId) => bookInOneStatement(contextFor(contact), { examId, dominantHand: 'Right' }, undefined)),
    );

    expect(counts).toEqual({ ok: 1, INSUFFICIENT_CREDITS: 9 });
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from hubspot_bookings where associated_contact_id = $1 and is_active = 'Active'`,
      [contact.contactId],
    );
    expect(rows[0]!.n).toBe(1);
  });
});
