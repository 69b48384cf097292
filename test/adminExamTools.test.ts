import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { insertBookingRow, insertContact, insertExam, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;
const adminAs = adminClients(idp, () => s.url);

/** A session on a given date (its times follow), for ranges and prerequisites. */
async function sessionOn(date: string, f: Parameters<typeof insertExam>[1] = {}) {
  const examId = await insertExam(db, f);
  await db.query(
    `update hubspot_mock_exams set exam_date = $2, start_time = ($2::date + time '14:00') at time zone 'UTC', end_time = ($2::date + time '17:00') at time zone 'UTC' where hubspot_id = $1`,
    [examId, date],
  );
  return examId;
}

describe('admin.exams.dashboard', () => {
  it('totals, upcoming, fully booked, utilisation and no-show rate over the range', async () => {
    const full = await sessionOn('2034-03-01', { capacity: 2 });
    const half = await sessionOn('2034-03-02', { capacity: 4 });
    const inactive = await sessionOn('2034-03-03', { capacity: 4, isActive: 'false' });
    await sessionOn('2034-05-01', { capacity: 4 }); // outside the range
    for (const [examId, status, attendance] of [
      [full, 'Completed', 'Yes'],
      [full, 'Completed', 'No'],
      [half, 'Completed', 'Yes'],
      [half, 'Active', undefined],
      [inactive, 'Cancelled', undefined],
    ] as const)
      await insertBookingRow(db, (await insertContact(db)).contactId, examId, { status, attendance });
    await db.query(
      `update hubspot_mock_exams e set total_bookings = (select count(*) from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') where hubspot_id = any($1)`,
      [[full, half, inactive]],
    );
    const figures = await (await adminAs('viewer')).admin.exams.dashboard.query({
      from: '2034-03-01',
      to: '2034-03-31',
    });
    expect(figures).toMatchObject({
      totalSessions: 3,
      upcomingSessions: 2,
      fullyBooked: 1,
      seatsTaken: 4,
      seatsOffered: 10,
      averageUtilization: 40,
      attended: 2,
      noShows: 1,
      noShowRate: 33.3,
    });
    expect(
      await failure((await adminAs('viewer')).admin.exams.dashboard.query({ from: '2034-04-01', to: '2034-03-01' })),
    ).toMatchObject({ appCode: 'VALIDATION_FAILED' });
  });
});

describe('admin.exams.bulkUpdate', () => {
  it('applies the same changes to each session in its own transaction, refusing per item', async () => {
    const a = await insertExam(db, { capacity: 5 });
    const b = await insertExam(db, { capacity: 5 });
    for (let i = 0; i < 4; i++) await insertBookingRow(db, (await insertContact(db)).contactId, b);
    const admin = await adminAs('admin');
    const result = await admin.admin.exams.bulkUpdate.mutate({
      examIds: [a, b, 'no-such-exam'],
      updates: { capacity: 3, location: 'Calgary' },
    });
    expect(result.results.map((r) => [r.id, r.ok ? 'ok' : r.appCode])).toEqual([
      [a, 'ok'],
      [b, 'CAPACITY_BELOW_BOOKINGS'],
      ['no-such-exam', 'EXAM_NOT_FOUND'],
    ]);
    const { rows } = await db.query(
      'select hubspot_id, capacity, location from hubspot_mock_exams where hubspot_id = any($1) order by capacity',
      [[a, b]],
    );
    expect(rows).toEqual([
      { hubspot_id: a, capacity: 3, location: 'Calgary' },
      { hubspot_id: b, capacity: 5, location: 'Toronto' },
    ]);
    expect(await failure(admin.admin.exams.bulkUpdate.mutate({ examIds: [a], updates: {} }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
    });
    expect(
      await failure(
        admin.admin.exams.bulkUpdate.mutate({ examIds: [a], updates: { startTime: '10:00', endTime: '09:00' } }),
      ),
    ).toMatchObject({ appCode: 'VALIDATION_FAILED' });
  });
});

describe('admin.exams.setPrerequisites', () => {
  it('sets, adds and removes CS/SJ sessions dated before the discussion; students are held to the new list', async () => {
    const cs = await sessionOn('2035-01-10', { mockType: 'Clinical Skills' });
    const sj = await sessionOn('2035-01-11', { mockType: 'Situational Judgment' });
    const later = await sessionOn('2035-02-20', { mockType: 'Clinical Skills' });
    const mini = await sessionOn('2035-01-12', { mockType: 'Mini-mock' });
    const discussion = await sessionOn('2035-02-01', { mockType: 'Mock Discussion' });
    const admin = await adminAs('admin');
    const set = await admin.admin.exams.setPrerequisites.mutate({ examId: discussion, prerequisiteExamIds: [cs] });
    expect(set.prerequisiteExamIds).toEqual([cs]);
    expect(
      (await admin.admin.exams.setPrerequisites.mutate({ examId: discussion, add: [sj] })).prerequisiteExamIds,
    ).toEqual([cs, sj]);
    expect(
      (await admin.admin.exams.setPrerequisites.mutate({ examId: discussion, remove: [cs] })).prerequisiteExamIds,
    ).toEqual([sj]);
    for (const bad of [later, mini, 'no-such-exam'])
      expect(
        await failure(admin.admin.exams.setPrerequisites.mutate({ examId: discussion, add: [bad] })),
        bad,
      ).toMatchObject({ appCode: 'VALIDATION_FAILED', details: { field: 'prerequisiteExamIds' } });
    expect(
      await failure(admin.admin.exams.setPrerequisites.mutate({ examId: cs, prerequisiteExamIds: [] })),
    ).toMatchObject({ appCode: 'VALIDATION_FAILED', details: { field: 'examId' } });
    expect(
      await failure(
        admin.admin.exams.setPrerequisites.mutate({ examId: discussion, prerequisiteExamIds: [], add: [cs] }),
      ),
    ).toMatchObject({ appCode: 'VALIDATION_FAILED' });
    expect(
      await failure(
        (await adminAs('coordinator')).admin.exams.setPrerequisites.mutate({ examId: discussion, add: [cs] }),
      ),
    ).toMatchObject({ appCode: 'FORBIDDEN' });
    const outbox = await db.query(
      `select count(*)::int as n from sync_outbox where object_type = 'exam' and object_id = $1 and change = 'prerequisites'`,
      [discussion],
    );
    expect(outbox.rows[0].n).toBe(3);

    // A student booking the discussion is held to the list as it now stands (SJ, not CS).
    const contact = await insertContact(db, { mock_discussion_token: 1 });
    await insertBookingRow(db, contact.contactId, cs, { status: 'Completed', attendance: 'Yes' });
    const student = await loginClient(s.url, contact);
    expect(await failure(student.bookings.create.mutate({ examId: discussion }))).toMatchObject({
      appCode: 'PREREQUISITES_NOT_MET',
      details: { missingExamIds: [sj] },
    });
  });
});
