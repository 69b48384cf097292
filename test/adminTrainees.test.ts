import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { balancesOf, insertBookingRow, insertContact, insertExam, inTurn, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

const adminAs = adminClients(idp, () => s.url);
const outboxOf = async (id: string) =>
  (
    await db.query(
      `select change, payload from sync_outbox where object_type = 'contact' and object_id = $1 order by id`,
      [id],
    )
  ).rows;

describe('admin.trainees.search and get', () => {
  it('finds by student ID, email or name prefix, case-insensitively, and only those', async () => {
    const tag = `Q${Date.now().toString(36).toUpperCase()}`;
    const byId = await insertContact(db, {}, { studentId: `${tag}ID1` });
    const byEmail = await insertContact(db, {}, { email: `${tag.toLowerCase()}.mail@school.example` });
    const byName = await insertContact(db, {}, { firstname: `${tag}Name` });
    await insertContact(db, {}, { firstname: `x${tag}` });
    const viewer = await adminAs('viewer');
    const ids = async (query: string) =>
      (await viewer.admin.trainees.search.query({ query })).items.map((t) => t.contactId).sort();
    expect(await ids(tag.toLowerCase())).toEqual([byId.contactId, byEmail.contactId, byName.contactId].sort());
    expect(await ids(`${tag}id`)).toEqual([byId.contactId]);
    expect(await ids(`${tag.toLowerCase()}.MAIL@`)).toEqual([byEmail.contactId]);
    expect(await ids(`${tag}name tester`)).toEqual([byName.contactId]);
    // LIKE's wildcards are text, not patterns.
    expect(await ids('%')).toEqual([]);
  });

  it('get: the trainee’s balances and booking history with the attendance summary', async () => {
    const contact = await insertContact(db, { cs_credits: 2, shared_mock_credits: 1 });
    const a = await insertExam(db);
    const b = await insertExam(db);
    const c = await insertExam(db);
    await insertBookingRow(db, contact.contactId, a, { status: 'Completed', attendance: 'Yes' });
    await insertBookingRow(db, contact.contactId, b, { status: 'Completed', attendance: 'No' });
    await insertBookingRow(db, contact.contactId, c, { status: 'Cancelled' });
    await insertBookingRow(db, contact.contactId, c);
    const got = await (await adminAs('coordinator')).admin.trainees.get.query({ contactId: contact.contactId });
    expect(got.trainee).toMatchObject({ contactId: contact.contactId, csCredits: 2, sharedMockCredits: 1 });
    expect(got.bookings).toHaveLength(4);
    expect(got.summary).toEqual({
      total: 4,
      active: 1,
      completed: 2,
      cancelled: 1,
      attended: 1,
      noShow: 1,
      unmarked: 1,
    });
    const open = await (await adminAs('viewer')).admin.trainees.get.query({
      contactId: contact.contactId,
      includeCancelled: false,
    });
    expect(open.bookings.map((x) => x.status).sort()).toEqual(['Active', 'Completed', 'Completed']);
    expect(await failure((await adminAs('viewer')).admin.trainees.get.query({ contactId: 'nobody' }))).toMatchObject({
      appCode: 'CONTACT_NOT_FOUND',
    });
  });
});

describe('admin.credits.adjust', () => {
  it('adds a signed delta with a reason, audited and sent to HubSpot as the delta; never below zero', async () => {
    const contact = await insertContact(db, { sj_credits: 2 });
    const admin = await adminAs('admin', { sub: 'idp|bursar', email: 'bursar@school.example' });
    const added = await admin.admin.credits.adjust.mutate({
      contactId: contact.contactId,
      creditType: 'sj',
      delta: 3,
      reason: 'bought a pack at the desk',
    });
    expect(added).toMatchObject({ before: 2, after: 5 });
    const taken = await admin.admin.credits.adjust.mutate({
      contactId: contact.contactId,
      creditType: 'sj',
      delta: -5,
      reason: 'refunded the pack',
    });
    expect(taken).toMatchObject({ before: 5, after: 0 });
    expect(
      await failure(
        admin.admin.credits.adjust.mutate({ contactId: contact.contactId, creditType: 'sj', delta: -1, reason: 'x' }),
      ),
    ).toMatchObject({ appCode: 'CREDITS_WOULD_GO_NEGATIVE', details: { balance: 0 } });
    expect((await balancesOf(db, contact.contactId)).sj_credits).toBe(0);
    expect(await outboxOf(contact.contactId)).toEqual([
      { change: 'credits', payload: { column: 'sjCredits', delta: 3 } },
      { change: 'credits', payload: { column: 'sjCredits', delta: -5 } },
    ]);
    const audit = await db.query(
      `select admin_subject, before, after, reason from admin_audit_log where action = 'credits.adjust' and $1 = any(target_ids) order by at`,
      [contact.contactId],
    );
    expect(audit.rows).toEqual([
      {
        admin_subject: 'idp|bursar',
        before: { sj: 2 },
        after: { sj: 5, delta: 3 },
        reason: 'bought a pack at the desk',
      },
      { admin_subject: 'idp|bursar', before: { sj: 5 }, after: { sj: 0, delta: -5 }, reason: 'refunded the pack' },
    ]);
  });

  it('refuses bad input as field errors, an unknown student as CONTACT_NOT_FOUND, a coordinator as FORBIDDEN', async () => {
    const admin = await adminAs('admin');
    const contact = await insertContact(db);
    for (const input of [
      { contactId: contact.contactId, creditType: 'sj', delta: 0, reason: 'r' },
      { contactId: contact.contactId, creditType: 'gold', delta: 1, reason: 'r' },
      { contactId: contact.contactId, creditType: 'cs', delta: 1.5, reason: 'r' },
      { contactId: contact.contactId, creditType: 'cs', delta: 1, reason: '' },
      { contactId: contact.contactId, creditType: 'cs', delta: 1 },
    ]) {
      expect(await failure(admin.admin.credits.adjust.mutate(input as never)), JSON.stringify(input)).toMatchObject({
        appCode: 'VALIDATION_FAILED',
      });
    }
    expect(
      await failure(
        admin.admin.credits.adjust.mutate({ contactId: 'nobody', creditType: 'cs', delta: 1, reason: 'r' }),
      ),
    ).toMatchObject({ appCode: 'CONTACT_NOT_FOUND' });
    expect(
      await failure(
        (await adminAs('coordinator')).admin.credits.adjust.mutate({
          contactId: contact.contactId,
          creditType: 'cs',
          delta: 1,
          reason: 'r',
        }),
      ),
    ).toMatchObject({ appCode: 'FORBIDDEN' });
  });

  it('adjusted while the student books: no lost update, never negative', async () => {
    const contact = await insertContact(db, { cs_credits: 4 });
    const student = await loginClient(s.url, contact);
    // On four different days: one Clinical Skills booking per day is the duplicate rule.
    const exams = await inTurn(4, (i) => insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * (11 + i) }));
    const admin = await adminAs('admin');
    const outcomes = await Promise.allSettled([
      ...exams.map((examId) => student.bookings.create.mutate({ examId, dominantHand: 'Left' })),
      ...[1, 2, 3].map(() =>
        admin.admin.credits.adjust.mutate({ contactId: contact.contactId, creditType: 'cs', delta: 1, reason: 'gift' }),
      ),
    ]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(4 + 3 - 4);

    // One credit left, a booking and a -1 adjustment at once: exactly one of them gets it.
    for (let round = 0; round < 5; round++) {
      const one = await insertContact(db, { cs_credits: 1 });
      const oneStudent = await loginClient(s.url, one);
      const examId = await insertExam(db, { mockType: 'Clinical Skills' });
      const [booked, adjusted] = await Promise.allSettled([
        oneStudent.bookings.create.mutate({ examId, dominantHand: 'Right' }),
        admin.admin.credits.adjust.mutate({ contactId: one.contactId, creditType: 'cs', delta: -1, reason: 'r' }),
      ]);
      expect([booked.status, adjusted.status].sort()).toEqual(['fulfilled', 'rejected']);
      expect((await balancesOf(db, one.contactId)).cs_credits).toBe(0);
    }
  });
});
