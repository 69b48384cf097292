import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { balancesOf, examCounts, insertContact, insertExam, loginClient } from './helpers/factories';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

// Seats an admin frees go to the session's waitlist in the same transaction, as a student's cancel does.
const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '100000', WAITLIST_HOLD_MINUTES: '30' });
const { db } = s;
const adminAs = adminClients(idp, () => s.url);

async function student() {
  const contact = await insertContact(db, { cs_credits: 1 });
  return { contact, api: await loginClient(s.url, contact) };
}
const entries = async (examId: string) =>
  (
    await db.query(
      'select associated_contact_id as "contactId", status from waitlist_entries where associated_mock_exam = $1 order by queue_order',
      [examId],
    )
  ).rows;
const activeBookers = async (examId: string) =>
  (
    await db.query(
      `select associated_contact_id from hubspot_bookings where associated_mock_exam = $1 and is_active = 'Active' order by created_at`,
      [examId],
    )
  ).rows.map((r) => r.associated_contact_id as string);

describe('waitlist promotion on the admin side', () => {
  it('an admin cancel books the first student in line, in the same transaction', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity: 1 });
    const holder = await student();
    const { bookingId } = await holder.api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    const first = await student();
    const second = await student();
    await first.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    await second.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });

    const admin = await adminAs('admin');
    const cancelled = await admin.admin.bookings.cancel.mutate({ bookingIds: [bookingId], refund: true });
    const [result] = cancelled.results;
    expect(result).toMatchObject({ ok: true });
    expect(result!.ok && result!.result.waitlistPromoted).toEqual([
      expect.objectContaining({ contactId: first.contact.contactId, outcome: 'booked' }),
    ]);
    expect(await activeBookers(examId)).toEqual([first.contact.contactId]);
    expect((await balancesOf(db, first.contact.contactId)).cs_credits).toBe(0);
    expect((await balancesOf(db, holder.contact.contactId)).cs_credits).toBe(1);
    expect(await entries(examId)).toEqual([
      { contactId: first.contact.contactId, status: 'booked' },
      { contactId: second.contact.contactId, status: 'waiting' },
    ]);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    const audit = await db.query(
      `select after from admin_audit_log where action = 'bookings.cancel' and $1 = any(target_ids)`,
      [bookingId],
    );
    expect(audit.rows[0].after.waitlistPromoted).toHaveLength(1);
  });

  it('a capacity increase fills the new seats from the line: auto-book booked, the others offered a hold', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity: 1 });
    const holder = await student();
    await holder.api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    const auto = await student();
    const hold = await student();
    const third = await student();
    await auto.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    await hold.api.waitlist.join.mutate({ examId, dominantHand: 'Left', autoBook: false });
    await third.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });

    const admin = await adminAs('admin');
    const updated = await admin.admin.exams.update.mutate({ examId, capacity: 3 });
    expect(updated.waitlistPromoted.map((p) => [p.contactId, p.outcome])).toEqual([
      [auto.contact.contactId, 'booked'],
      [hold.contact.contactId, 'offered'],
    ]);
    expect(updated).toMatchObject({ capacity: 3, totalBookings: 3 });
    expect(await activeBookers(examId)).toEqual([holder.contact.contactId, auto.contact.contactId]);
    expect((await entries(examId)).map((e) => e.status)).toEqual(['booked', 'offered', 'waiting']);
    // The held seat counts as taken: the counter is bookings plus holds.
    const { rows } = await db.query('select total_bookings from hubspot_mock_exams where hubspot_id = $1', [examId]);
    expect(rows[0].total_bookings).toBe(3);
    // Lowering (or keeping) capacity promotes no one.
    expect(
      (await admin.admin.exams.update.mutate({ examId, capacity: 3, location: 'Elsewhere' })).waitlistPromoted,
    ).toEqual([]);
  });

  it('deleting a session ends its line: nobody stays waiting or holding a seat there', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity: 1 });
    const holder = await student();
    const { bookingId } = await holder.api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    const waiting = await student();
    await waiting.api.waitlist.join.mutate({ examId, dominantHand: 'Left', autoBook: false });
    const admin = await adminAs('super_admin');
    await admin.admin.bookings.cancel.mutate({ bookingIds: [bookingId], refund: true });
    expect((await entries(examId)).map((e) => e.status)).toEqual(['offered']);
    const deleted = await admin.admin.exams.delete.mutate({ examIds: [examId] });
    expect(deleted.summary).toMatchObject({ succeeded: 1 });
    expect(await entries(examId)).toEqual([{ contactId: waiting.contact.contactId, status: 'left' }]);
    expect(await waiting.api.waitlist.mine.query()).toEqual([]);
  });
});
