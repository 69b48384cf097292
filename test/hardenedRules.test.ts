import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import { sleep } from '../server/lib/time';
import { waitFor } from './helpers/childServer';
import { balancesOf, insertContact, insertExam, inTurn, loginClient, type TestContact } from './helpers/factories';
import { failure } from './helpers/failure';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';

/**
 * Booking rules an adversarial pass got round (issue 18 items 3, 7, 10, 12), on two instances sharing
 * Postgres and Redis as a deployment does.
 */

let shared: SharedResources & { release(): Promise<void> };
let one: TestService;
let two: TestService;
let db: pg.Client;

beforeAll(async () => {
  shared = await createSharedResources();
  const env = { LOGIN_RATE_LIMIT_PER_IP: '100000' };
  [one, two] = await Promise.all([startTestService(env, { shared }), startTestService(env, { shared })]);
  db = await shared.database.connect();
});
afterAll(async () => {
  await db?.end();
  await Promise.all([one?.stop(), two?.stop()]);
  await shared?.release();
});

const student = async (credits: Parameters<typeof insertContact>[1], fields?: Parameters<typeof insertContact>[2]) => {
  const contact = await insertContact(db, credits, fields);
  return { contact, on: [await loginClient(one.url, contact), await loginClient(two.url, contact)] as const };
};

async function bookingRow(bookingId: string) {
  const { rows } = await db.query(
    'select is_active, student_id, student_email, name, booking_id, idempotency_key from hubspot_bookings where id = $1',
    [bookingId],
  );
  return rows[0] as Record<string, string>;
}

describe('a raised capacity (issue 18 item 10)', () => {
  it('is listed and bookable at once on every instance, whatever the Redis mirror says', async () => {
    const examId = await insertExam(db, { capacity: 1, location: 'Capacityville' });
    const first = await student({ cs_credits: 1 });
    await first.on[0].bookings.create.mutate({ dominantHand: 'Right', examId });
    // The mirror now says full (1 of 1); an admin raises the capacity in SQL, behind its back.
    await db.query('update hubspot_mock_exams set capacity = 2 where hubspot_id = $1', [examId]);

    const listed = await two.client.exams.available.query({ location: 'Capacityville' });
    expect(listed.map((e) => [e.examId, e.capacity, e.availableSlots])).toEqual([[examId, 2, 1]]);
    const second = await student({ cs_credits: 1 });
    const booked = await second.on[1].bookings.create.mutate({ dominantHand: 'Right', examId });
    expect(booked.examId).toBe(examId);
    // And full again is full, from the mirror as from the row.
    const third = await student({ cs_credits: 1 });
    expect((await failure(third.on[0].bookings.create.mutate({ dominantHand: 'Right', examId }))).appCode).toBe(
      'EXAM_FULL',
    );
  });
});

describe('a raised capacity among sessions whose lines ask at once', () => {
  it('books only the raised session, and refuses the full ones, when their refusals are confirmed in one read per instance', async () => {
    // Six sessions of one seat, each taken, so the mirror says full for all six; then one is raised in
    // SQL, with a seat for each of its five callers below (a caller wrongly refused leaves one empty).
    const exams = await inTurn(6, (i) => insertExam(db, { capacity: 1, startsInHours: 400 + 24 * i }));
    for (const examId of exams) {
      const taken = await student({ cs_credits: 1 });
      await taken.on[0].bookings.create.mutate({ dominantHand: 'Right', examId });
    }
    const raised = exams[2]!;
    await db.query('update hubspot_mock_exams set capacity = 6 where hubspot_id = $1', [raised]);
    const rush = await inTurn(30, async (i) => ({ examId: exams[i % 6]!, s: await student({ cs_credits: 1 }) }));

    // The sessions' table locked: each instance's first confirming read waits on it, and every refusal
    // that arrives meanwhile waits for the next read (freshBatchReads), which then asks for all of them.
    const locker = await shared.database.connect();
    await locker.query('begin; lock table hubspot_mock_exams in access exclusive mode');
    const confirmsWaiting = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%total_bookings%any(%'`,
        )
      ).rows[0]!.n;
    let answers: Promise<string[]>;
    try {
      answers = Promise.all(
        rush.map(({ examId, s }, i) =>
          s.on[i % 2 === 0 ? 0 : 1].bookings.create.mutate({ dominantHand: 'Right', examId }).then(
            () => `${examId} ok`,
            async (err: unknown) => `${examId} ${(await failure(Promise.reject(err))).appCode}`,
          ),
        ),
      );
      await waitFor(async () => (await confirmsWaiting()) === 2, 'a confirming read waiting on each instance');
      await sleep(500);
      // 30 refusals in flight, and still one read per instance: the rest wait to be asked for together.
      expect(await confirmsWaiting()).toBe(2);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    expect(await answers).toEqual(rush.map(({ examId }) => `${examId} ${examId === raised ? 'ok' : 'EXAM_FULL'}`));
    const { rows } = await db.query<{ id: string; active: number; total: number }>(
      `select e.hubspot_id as id, e.total_bookings as total,
              (select count(*)::int from hubspot_bookings b
                where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') as active
         from hubspot_mock_exams e where e.hubspot_id = any($1)`,
      [exams],
    );
    expect(rows.map((r) => [r.id, r.active, r.total]).sort()).toEqual(
      exams.map((id) => (id === raised ? [id, 6, 6] : [id, 1, 1])).sort(),
    );
  });
});

describe('Mock Discussion prerequisites (issue 18 item 3)', () => {
  const discussionOf = async (prerequisite: string) =>
    insertExam(db, { mockType: 'Mock Discussion', startsInHours: 300, prerequisites: [prerequisite] });

  it('refuses to cancel a booking an active discussion depends on, with a clear code, until the discussion is cancelled', async () => {
    const prerequisite = await insertExam(db, { startsInHours: 100 });
    const discussion = await discussionOf(prerequisite);
    const s = await student({ cs_credits: 1, mock_discussion_token: 1 });
    const p = await s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId: prerequisite });
    const d = await s.on[1].bookings.create.mutate({ examId: discussion });

    const refused = await failure(s.on[1].bookings.cancel.mutate({ bookingId: p.bookingId }));
    expect(refused).toMatchObject({
      appCode: 'PREREQUISITE_IN_USE',
      httpStatus: 409,
      details: { dependentBookingIds: [d.bookingId] },
    });
    expect((await bookingRow(p.bookingId)).is_active).toBe('Active');
    expect((await balancesOf(db, s.contact.contactId)).cs_credits).toBe(0);

    await s.on[0].bookings.cancel.mutate({ bookingId: d.bookingId });
    await s.on[1].bookings.cancel.mutate({ bookingId: p.bookingId });
    expect(await balancesOf(db, s.contact.contactId)).toMatchObject({ cs_credits: 1, mock_discussion_token: 1 });
  });

  it('never ends with the discussion booked and its prerequisite cancelled when both race on two instances', async () => {
    const prerequisite = await insertExam(db, { startsInHours: 110, capacity: 20 });
    const discussion = await discussionOf(prerequisite);
    const students: Array<{ contact: TestContact; on: readonly [Client, Client]; bookingId: string }> = [];
    for (let i = 0; i < 8; i++) {
      const s = await student({ cs_credits: 1, mock_discussion_token: 1 });
      students.push({
        ...s,
        bookingId: (await s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId: prerequisite })).bookingId,
      });
    }
    await Promise.allSettled(
      students.flatMap((s) => [
        s.on[0].bookings.cancel.mutate({ bookingId: s.bookingId }),
        s.on[1].bookings.create.mutate({ examId: discussion }),
      ]),
    );
    const { rows } = await db.query(
      `select p.is_active as prerequisite, d.is_active as discussion
       from hubspot_bookings p left join hubspot_bookings d
         on d.associated_contact_id = p.associated_contact_id and d.associated_mock_exam = $2
       where p.associated_mock_exam = $1`,
      [prerequisite, discussion],
    );
    expect(rows).toHaveLength(students.length);
    for (const row of rows) expect(row.prerequisite === 'Cancelled' && row.discussion === 'Active').toBe(false);
  });
});

describe('details from the contact row, not the token (issue 18 item 7)', () => {
  it('writes the student ID, email and name the contact has now, not those of the login', async () => {
    const s = await student({ cs_credits: 1 }, { firstname: 'Old' });
    const newStudentId = `N${randomUUID().slice(0, 8)}`;
    await db.query(
      "update hubspot_contact_credits set student_id = $2, email = $3, firstname = 'New' where hubspot_id = $1",
      [s.contact.contactId, newStudentId, `new-${s.contact.email}`],
    );
    const booked = await s.on[1].bookings.create.mutate({
      dominantHand: 'Right',
      examId: await insertExam(db, { startsInHours: 120 }),
    });
    expect(await bookingRow(booked.bookingId)).toMatchObject({
      student_id: newStudentId,
      student_email: `new-${s.contact.email}`,
      name: 'New Tester',
    });
    expect(booked.bookingCode).toContain(newStudentId);
  });

  it('answers UNAUTHENTICATED, not 500, when the contact behind a token is gone', async () => {
    const s = await student({ cs_credits: 2 });
    const booked = await s.on[0].bookings.create.mutate({
      dominantHand: 'Right',
      examId: await insertExam(db, { startsInHours: 130 }),
    });
    await db.query('delete from hubspot_contact_credits where hubspot_id = $1', [s.contact.contactId]);
    expect((await failure(s.on[1].bookings.cancel.mutate({ bookingId: booked.bookingId }))).appCode).toBe(
      'UNAUTHENTICATED',
    );
    expect((await bookingRow(booked.bookingId)).is_active).toBe('Active');
    const another = await insertExam(db, { startsInHours: 140 });
    expect((await failure(s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId: another }))).appCode).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('idempotency keys of cancelled bookings (issue 18 item 12)', () => {
  it('cannot be named by a crafted key: a cancelled booking is never replayed as a success', async () => {
    const s = await student({ cs_credits: 3 });
    const examId = await insertExam(db, { startsInHours: 150 });
    const key = `k-${randomUUID()}`;
    const first = await s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey: key });
    await s.on[1].bookings.cancel.mutate({ bookingId: first.bookingId });

    // The old freed form, "<key>:cancelled:<booking id>", is an ordinary new key now.
    const crafted = await s.on[0].bookings.create.mutate({
      dominantHand: 'Right',
      examId,
      idempotencyKey: `${key}:cancelled:${first.bookingId}`,
    });
    expect(crafted.bookingId).not.toBe(first.bookingId);
    expect((await bookingRow(crafted.bookingId)).is_active).toBe('Active');
    // The freed key's own namespace cannot be typed at all.
    const stored = (await bookingRow(first.bookingId)).idempotency_key!;
    expect(stored).toContain('#');
    const typed = await failure(
      s.on[1].bookings.create.mutate({
        dominantHand: 'Right',
        examId,
        idempotencyKey: stored.slice(stored.indexOf(':') + 1),
      }),
    );
    expect(typed.appCode).toBe('VALIDATION_FAILED');
  });

  it('refuses a key that still names a cancelled booking (freed the old way) instead of replaying it', async () => {
    const s = await student({ cs_credits: 2 });
    const examId = await insertExam(db, { startsInHours: 160 });
    const key = `k-${randomUUID()}`;
    const first = await s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey: key });
    await s.on[1].bookings.cancel.mutate({ bookingId: first.bookingId });
    // A row cancelled before this release carries its key in the old, typeable form.
    const oldForm = `${key}:cancelled:${first.bookingId}`;
    await db.query('update hubspot_bookings set idempotency_key = $2 where id = $1', [
      first.bookingId,
      `${s.contact.contactId}:${oldForm}`,
    ]);
    const refused = await failure(
      s.on[0].bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey: oldForm }),
    );
    expect(refused.appCode).toBe('IDEMPOTENCY_KEY_REUSED');
    // The real key still books again after the cancellation.
    const again = await s.on[1].bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey: key });
    expect(again.bookingId).not.toBe(first.bookingId);
  });
});
