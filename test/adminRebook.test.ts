import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { balancesOf, examCounts, insertBookingRow, insertContact, insertExam } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env });
const { db } = s;
const adminAs = adminClients(idp, () => s.url);

const bookingRow = async (id: string) =>
  (
    await db.query(
      'select associated_mock_exam, exam_date::text, start_time, mock_type, is_active, token_used from hubspot_bookings where id = $1',
      [id],
    )
  ).rows[0];

/** Hours from now to the next midnight UTC (insertExam dates a session by its UTC start). */
const hoursToUtcMidnight = () => {
  const now = new Date();
  return (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 3_600_000;
};

describe('admin.bookings.rebook', () => {
  it('moves an Active booking to another session of its type: both counts, the copies, the credit untouched', async () => {
    const from = await insertExam(db, { capacity: 4 });
    const to = await insertExam(db, { capacity: 4 });
    const contact = await insertContact(db, { cs_credits: 0 });
    const bookingId = await insertBookingRow(db, contact.contactId, from);
    await db.query('update hubspot_mock_exams set total_bookings = 1 where hubspot_id = $1', [from]);
    const admin = await adminAs('coordinator', { sub: 'idp|desk' });
    const moved = await admin.admin.bookings.rebook.mutate({ bookingId, examId: to, reason: 'asked by phone' });
    expect(moved).toMatchObject({ bookingId, fromExamId: from, examId: to, waitlistPromoted: [] });
    const target = (
      await db.query('select exam_date::text, start_time from hubspot_mock_exams where hubspot_id = $1', [to])
    ).rows[0];
    expect(await bookingRow(bookingId)).toMatchObject({
      associated_mock_exam: to,
      exam_date: target.exam_date,
      start_time: target.start_time,
      is_active: 'Active',
      token_used: 'Clinical Skills Token',
    });
    expect(await examCounts(db, from)).toEqual({ total_bookings: 0, active: 0 });
    expect(await examCounts(db, to)).toEqual({ total_bookings: 1, active: 1 });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
    const outbox = await db.query(`select change from sync_outbox where object_type = 'booking' and object_id = $1`, [
      bookingId,
    ]);
    expect(outbox.rows).toEqual([{ change: 'rebooked' }]);
    const audit = await db.query(
      `select admin_subject, before, after, reason from admin_audit_log where action = 'bookings.rebook' and $1 = any(target_ids)`,
      [bookingId],
    );
    expect(audit.rows[0]).toMatchObject({
      admin_subject: 'idp|desk',
      before: { examId: from },
      after: { examId: to },
      reason: 'asked by phone',
    });
  });

  it('to another time the same day: the booking being moved is not its own duplicate', async () => {
    const from = await insertExam(db, { startsInHours: 24 * 40 });
    const to = await insertExam(db, { startsInHours: 24 * 40 + 4 });
    const contact = await insertContact(db);
    const bookingId = await insertBookingRow(db, contact.contactId, from);
    await (await adminAs('admin')).admin.bookings.rebook.mutate({ bookingId, examId: to });
    expect((await bookingRow(bookingId)).associated_mock_exam).toBe(to);
  });

  it('refuses: full target, another type, a duplicate or overlap there, a started or inactive target, a closed booking', async () => {
    const admin = await adminAs('admin');
    const from = await insertExam(db);
    const contact = await insertContact(db);
    const bookingId = await insertBookingRow(db, contact.contactId, from);
    const code = async (examId: string, id = bookingId) =>
      (await failure(admin.admin.bookings.rebook.mutate({ bookingId: id, examId }))).appCode;

    const full = await insertExam(db, { capacity: 1 });
    await insertBookingRow(db, (await insertContact(db)).contactId, full);
    expect(await code(full)).toBe('EXAM_FULL');
    expect(await code(await insertExam(db, { mockType: 'Situational Judgment' }))).toBe('VALIDATION_FAILED');
    expect(await code(from)).toBe('VALIDATION_FAILED');
    expect(await code(await insertExam(db, { startsInHours: -1 }))).toBe('EXAM_NOT_BOOKABLE');
    expect(await code(await insertExam(db, { isActive: 'false' }))).toBe('EXAM_NOT_BOOKABLE');
    expect(await code('no-such-exam')).toBe('EXAM_NOT_FOUND');
    expect(await code(from, '00000000-0000-4000-8000-000000000000')).toBe('BOOKING_NOT_FOUND');

    // The student already holds a Clinical Skills booking on the target's day. Both start on one UTC
    // date whatever the hour the test runs (+50 days and +50 days 5 h crossed midnight after 19:00 UTC).
    const dayStart = hoursToUtcMidnight() + 24 * 49;
    const day = await insertExam(db, { startsInHours: dayStart + 8 });
    const sameDay = await insertExam(db, { startsInHours: dayStart + 13 });
    await insertBookingRow(db, contact.contactId, day);
    expect(await code(sameDay)).toBe('DUPLICATE_BOOKING');
    // ... or a booking of another type at an overlapping time.
    const sj = await insertExam(db, { mockType: 'Situational Judgment', startsInHours: 24 * 60 });
    await insertBookingRow(db, contact.contactId, sj, { tokenUsed: 'Situational Judgment Token' });
    expect(await code(await insertExam(db, { startsInHours: 24 * 60 + 1 }))).toBe('TIME_CONFLICT');

    const done = await insertBookingRow(db, contact.contactId, await insertExam(db), { status: 'Completed' });
    expect(await code(await insertExam(db), done)).toBe('BOOKING_NOT_REBOOKABLE');
    expect((await bookingRow(bookingId)).associated_mock_exam).toBe(from);
  });

  it('crossing rebooks between two sessions do not deadlock; two rebooks into the last seat: one gets it', async () => {
    const admin = await adminAs('admin');
    for (let round = 0; round < 3; round++) {
      const a = await insertExam(db);
      const b = await insertExam(db);
      const ab = await insertBookingRow(db, (await insertContact(db)).contactId, a);
      const ba = await insertBookingRow(db, (await insertContact(db)).contactId, b);
      const [x, y] = await Promise.allSettled([
        admin.admin.bookings.rebook.mutate({ bookingId: ab, examId: b }),
        admin.admin.bookings.rebook.mutate({ bookingId: ba, examId: a }),
      ]);
      expect([x.status, y.status]).toEqual(['fulfilled', 'fulfilled']);

      const last = await insertExam(db, { capacity: 1 });
      const one = await insertBookingRow(db, (await insertContact(db)).contactId, await insertExam(db));
      const two = await insertBookingRow(db, (await insertContact(db)).contactId, await insertExam(db));
      const outcomes = await Promise.allSettled([
        admin.admin.bookings.rebook.mutate({ bookingId: one, examId: last }),
        admin.admin.bookings.rebook.mutate({ bookingId: two, examId: last }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await examCounts(db, last)).toEqual({ total_bookings: 1, active: 1 });
    }
  });
});
