import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { balancesOf, examCounts, insertBookingRow, insertContact, insertExam, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

const adminAs = adminClients(idp, () => s.url);
const bookingRow = async (id: string) => (await db.query('select * from hubspot_bookings where id = $1', [id])).rows[0];

describe('admin.bookings.roster', () => {
  it('lists a session’s bookings with search and the attendance summary', async () => {
    const examId = await insertExam(db);
    const ids: string[] = [];
    for (const name of ['Ada', 'Bob', 'Cy']) {
      const c = await insertContact(db, {}, { firstname: name });
      const id = await insertBookingRow(db, c.contactId, examId);
      await db.query('update hubspot_bookings set name = $2, student_email = $3 where id = $1', [
        id,
        `${name} Tester`,
        c.email,
      ]);
      ids.push(id);
    }
    await db.query(`update hubspot_bookings set attendance = 'Yes', is_active = 'Completed' where id = $1`, [ids[0]]);
    await db.query(`update hubspot_bookings set is_active = 'Cancelled' where id = $1`, [ids[2]]);
    const viewer = await adminAs('viewer');
    const all = await viewer.admin.bookings.roster.query({ examId });
    expect(all.items.map((b) => b.name)).toEqual(['Ada Tester', 'Bob Tester']);
    expect(all.attendance).toEqual({ attended: 1, noShow: 0, unmarked: 1 });
    const found = await viewer.admin.bookings.roster.query({ examId, search: 'bob' });
    expect(found.items.map((b) => b.bookingId)).toEqual([ids[1]]);
    expect(await failure(viewer.admin.bookings.roster.query({ examId: 'nope' }))).toMatchObject({
      appCode: 'EXAM_NOT_FOUND',
    });
  });
});

describe('admin.bookings.markAttendance', () => {
  it('Yes/No completes, null unmarks, cancelled and foreign bookings are refused per item, repeats change nothing', async () => {
    const examId = await insertExam(db);
    const other = await insertExam(db);
    const a = await insertBookingRow(db, (await insertContact(db)).contactId, examId);
    const b = await insertBookingRow(db, (await insertContact(db)).contactId, examId);
    const cancelled = await insertBookingRow(db, (await insertContact(db)).contactId, examId, { status: 'Cancelled' });
    const foreign = await insertBookingRow(db, (await insertContact(db)).contactId, other);
    const coordinator = await adminAs('coordinator');
    const marked = await coordinator.admin.bookings.markAttendance.mutate({
      examId,
      bookingIds: [a, b, cancelled, foreign],
      attendance: 'Yes',
    });
    expect(marked.summary).toEqual({ total: 4, updated: 2, unchanged: 0, failed: 2 });
    expect(marked.results.filter((r) => !r.ok).map((r) => [r.id, r.appCode])).toEqual([
      [cancelled, 'BOOKING_NOT_MARKABLE'],
      [foreign, 'BOOKING_NOT_MARKABLE'],
    ]);
    expect(await bookingRow(a)).toMatchObject({ attendance: 'Yes', is_active: 'Completed' });
    const again = await coordinator.admin.bookings.markAttendance.mutate({
      examId,
      bookingIds: [a],
      attendance: 'Yes',
    });
    expect(again.summary).toMatchObject({ updated: 0, unchanged: 1 });
    await coordinator.admin.bookings.markAttendance.mutate({ examId, bookingIds: [b], attendance: null });
    expect(await bookingRow(b)).toMatchObject({ attendance: null, is_active: 'Active' });
    expect(await bookingRow(foreign)).toMatchObject({ attendance: null, is_active: 'Active' });
    const audits = await db.query(
      `select target_ids from admin_audit_log where action = 'bookings.markAttendance' and $1 = any(target_ids)`,
      [a],
    );
    expect(audits.rows).toEqual([{ target_ids: [a, b] }]);
  });
});

describe('admin.bookings.cancel', () => {
  it('refunds exactly the credit spent (Shared Token too), once, and records who; Admin Override refunds nothing', async () => {
    const examId = await insertExam(db, { capacity: 8 });
    const shared = await insertContact(db, { shared_mock_credits: 0 });
    const sharedBooking = await insertBookingRow(db, shared.contactId, examId, { tokenUsed: 'Shared Token' });
    const override = await insertContact(db);
    const overrideBooking = await insertBookingRow(db, override.contactId, examId, { tokenUsed: 'Admin Override' });
    const admin = await adminAs('admin', { email: 'refunds@school.example' });
    const result = await admin.admin.bookings.cancel.mutate({
      bookingIds: [sharedBooking, overrideBooking],
      refund: true,
      reason: 'sick',
    });
    expect(result.results.map((r) => (r.ok ? r.result.creditRefunded : r.appCode))).toEqual(['Shared Token', null]);
    expect((await balancesOf(db, shared.contactId)).shared_mock_credits).toBe(1);
    expect(await bookingRow(sharedBooking)).toMatchObject({
      is_active: 'Cancelled',
      token_refunded: true,
      token_refund_admin: 'refunds@school.example',
      cancellation_reason: 'sick',
    });
    const again = await admin.admin.bookings.cancel.mutate({ bookingIds: [sharedBooking], refund: true });
    expect(again.results[0]).toMatchObject({ ok: false, appCode: 'BOOKING_NOT_CANCELLABLE' });
    expect((await balancesOf(db, shared.contactId)).shared_mock_credits).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
  });

  it('without refund the credit stays spent', async () => {
    const examId = await insertExam(db);
    const c = await insertContact(db, { cs_credits: 0 });
    const id = await insertBookingRow(db, c.contactId, examId);
    await (await adminAs('admin')).admin.bookings.cancel.mutate({ bookingIds: [id], refund: false });
    expect((await balancesOf(db, c.contactId)).cs_credits).toBe(0);
    expect(await bookingRow(id)).toMatchObject({ is_active: 'Cancelled', token_refunded: false });
  });

  it('racing a student’s own cancellation: one cancellation, one refund', async () => {
    for (let round = 0; round < 5; round++) {
      const examId = await insertExam(db);
      const contact = await insertContact(db, { cs_credits: 1 });
      const student = await loginClient(s.url, contact);
      const { bookingId } = await student.bookings.create.mutate({ examId, dominantHand: 'Left' });
      const admin = await adminAs('admin');
      await Promise.allSettled([
        student.bookings.cancel.mutate({ bookingId }),
        admin.admin.bookings.cancel.mutate({ bookingIds: [bookingId], refund: true }),
      ]);
      expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
      expect(await bookingRow(bookingId)).toMatchObject({ is_active: 'Cancelled', token_refunded: true });
    }
  });

  it('racing attendance on the same booking: a consistent end state', async () => {
    for (let round = 0; round < 5; round++) {
      const examId = await insertExam(db);
      const contact = await insertContact(db, { cs_credits: 0 });
      const id = await insertBookingRow(db, contact.contactId, examId);
      const admin = await adminAs('admin');
      await Promise.allSettled([
        admin.admin.bookings.markAttendance.mutate({ examId, bookingIds: [id], attendance: 'No' }),
        admin.admin.bookings.cancel.mutate({ bookingIds: [id], refund: true }),
      ]);
      const row = await bookingRow(id);
      const credits = (await balancesOf(db, contact.contactId)).cs_credits;
      // Either cancelled and refunded with no attendance, or completed as a no-show and not refunded.
      if (row.is_active === 'Cancelled') expect([row.attendance, row.token_refunded, credits]).toEqual([null, true, 1]);
      else expect([row.is_active, row.attendance, row.token_refunded, credits]).toEqual(['Completed', 'No', false, 0]);
    }
  });
});

describe('admin.bookings.create', () => {
  it('by default follows the student rules: spends the credit, refuses a duplicate', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills' });
    const contact = await insertContact(db, { cs_credits: 1 });
    const coordinator = await adminAs('coordinator', { sub: 'idp|front-desk' });
    const booked = await coordinator.admin.bookings.create.mutate({
      examId,
      contactId: contact.contactId,
      dominantHand: 'Right',
    });
    expect(booked).toMatchObject({ tokenUsed: 'Clinical Skills Token', creditsRemaining: 0, overCapacity: false });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
    expect(
      await failure(
        coordinator.admin.bookings.create.mutate({ examId, contactId: contact.contactId, dominantHand: 'Right' }),
      ),
    ).toMatchObject({
      appCode: 'DUPLICATE_BOOKING',
    });
    const audit = await db.query(
      `select admin_subject, after from admin_audit_log where action = 'bookings.create' and $1 = any(target_ids)`,
      [booked.bookingId],
    );
    expect(audit.rows[0]).toMatchObject({ admin_subject: 'idp|front-desk', after: { override: false } });
    const noCredit = await insertContact(db);
    const other = await insertExam(db, { mockType: 'Clinical Skills' });
    expect(
      await failure(
        coordinator.admin.bookings.create.mutate({
          examId: other,
          contactId: noCredit.contactId,
          dominantHand: 'Left',
        }),
      ),
    ).toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
    });
    expect(
      await failure(coordinator.admin.bookings.create.mutate({ examId: other, contactId: 'nobody' })),
    ).toMatchObject({
      appCode: 'CONTACT_NOT_FOUND',
    });
  });

  it('override spends nothing; past capacity needs allowOverCapacity, which is recorded', async () => {
    const examId = await insertExam(db, { capacity: 1 });
    await insertBookingRow(db, (await insertContact(db)).contactId, examId);
    const contact = await insertContact(db);
    const admin = await adminAs('admin');
    expect(
      await failure(admin.admin.bookings.create.mutate({ examId, contactId: contact.contactId, override: true })),
    ).toMatchObject({
      appCode: 'EXAM_FULL',
    });
    const booked = await admin.admin.bookings.create.mutate({
      examId,
      contactId: contact.contactId,
      override: true,
      allowOverCapacity: true,
      reason: 'walk-in',
    });
    expect(booked).toMatchObject({ tokenUsed: 'Admin Override', creditsRemaining: null, overCapacity: true });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 2, active: 2 });
    const audit = await db.query(`select after, reason from admin_audit_log where $1 = any(target_ids)`, [
      booked.bookingId,
    ]);
    expect(audit.rows[0]).toMatchObject({ reason: 'walk-in', after: { overCapacity: true, override: true } });
    // Cancelling an Admin Override booking with refund gives nothing back.
    await admin.admin.bookings.cancel.mutate({ bookingIds: [booked.bookingId], refund: true });
    expect(await balancesOf(db, contact.contactId)).toMatchObject({ cs_credits: 0, shared_mock_credits: 0 });
  });
});
