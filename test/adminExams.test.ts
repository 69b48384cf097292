import { afterAll, describe, expect, it } from 'vitest';
import { type Client, createClient } from '../client/src';
import { examCounts, insertBookingRow, insertContact, insertExam } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService(idp.env);
const { db } = s;

async function adminAs(role: string, claims: Record<string, unknown> = {}): Promise<Client> {
  const token = await idp.token(role, { claims });
  return createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
}

const auditOf = async (targetId: string) =>
  (await db.query('select * from admin_audit_log where $1 = any(target_ids) order by at', [targetId])).rows;
const outboxOf = async (objectId: string) =>
  (await db.query('select object_type, change from sync_outbox where object_id = $1 order by id', [objectId])).rows;

describe('admin.exams.create', () => {
  it('stores the times typed on the school clock as instants (EDT in summer, EST in winter), audited and queued for HubSpot', async () => {
    const admin = await adminAs('admin', { sub: 'idp|alice', email: 'alice@school.example' });
    const summer = await admin.admin.exams.create.mutate({
      mockType: 'Clinical Skills',
      mockSet: 'B',
      examDate: '2031-07-15',
      startTime: '09:00',
      endTime: '12:30',
      location: 'Mississauga',
      capacity: 10,
    });
    expect(summer).toMatchObject({ examId: expect.stringMatching(/^mb-/), isActive: 'true', capacity: 10 });
    expect(summer.startTime?.toISOString()).toBe('2031-07-15T13:00:00.000Z');
    expect(summer.endTime?.toISOString()).toBe('2031-07-15T16:30:00.000Z');
    const winter = await admin.admin.exams.create.mutate({
      mockType: 'Mini-mock',
      examDate: '2031-01-15',
      startTime: '09:00',
      endTime: '10:00',
      location: 'Online',
      capacity: 20,
      status: 'scheduled',
      activateAt: '2031-01-01T09:00:00-05:00',
    });
    expect(winter.startTime?.toISOString()).toBe('2031-01-15T14:00:00.000Z');
    expect(winter).toMatchObject({ isActive: 'scheduled', state: 'scheduled' });

    const [row] = await auditOf(summer.examId);
    expect(row).toMatchObject({
      admin_subject: 'idp|alice',
      admin_email: 'alice@school.example',
      admin_role: 'admin',
      action: 'exams.create',
      target_type: 'exam',
      before: null,
      after: expect.objectContaining({ examId: summer.examId, capacity: 10 }),
      request_id: expect.any(String),
    });
    expect(await outboxOf(summer.examId)).toEqual([{ object_type: 'exam', change: 'updated' }]);
    const fetched = await admin.admin.exams.get.query({ examId: summer.examId });
    expect(fetched).toMatchObject({ examId: summer.examId, bookings: { Active: 0, Completed: 0, Cancelled: 0 } });
  });

  it.each([
    [{ endTime: '08:00' }, 'endTime'],
    [{ startTime: '9am' }, 'startTime'],
    [{ capacity: 0 }, 'capacity'],
    [{ status: 'scheduled' }, 'activateAt'],
    [{ mockType: 'Mini-mock', mockSet: 'A' }, 'mockSet'],
    [{ mockType: 'Yoga' }, 'mockType'],
  ])('refuses %j with a field error on %s', async (change, field) => {
    const admin = await adminAs('admin');
    const input = {
      mockType: 'Clinical Skills',
      examDate: '2031-07-15',
      startTime: '09:00',
      endTime: '12:00',
      location: 'Calgary',
      capacity: 8,
      ...change,
    } as Parameters<typeof admin.admin.exams.create.mutate>[0];
    const error = await failure(admin.admin.exams.create.mutate(input));
    expect(error.appCode).toBe('VALIDATION_FAILED');
    expect(Object.keys(error.fieldErrors ?? {})).toContain(field);
  });
});

describe('admin.exams.update', () => {
  it('refuses a capacity below the seats taken, and changes nothing', async () => {
    const examId = await insertExam(db, { capacity: 8 });
    for (let i = 0; i < 3; i++) await insertBookingRow(db, (await insertContact(db)).contactId, examId);
    const admin = await adminAs('admin');
    const error = await failure(admin.admin.exams.update.mutate({ examId, capacity: 2 }));
    expect(error).toMatchObject({ appCode: 'CAPACITY_BELOW_BOOKINGS', httpStatus: 409, details: { totalBookings: 3 } });
    expect((await db.query('select capacity from hubspot_mock_exams where hubspot_id = $1', [examId])).rows[0]).toEqual(
      {
        capacity: 8,
      },
    );
    expect(await auditOf(examId)).toEqual([]);
    const ok = await admin.admin.exams.update.mutate({ examId, capacity: 3 });
    expect(ok).toMatchObject({ capacity: 3, totalBookings: 3, state: 'full' });
  });

  it('moves the date and times on the school clock and carries them to the bookings in the same transaction', async () => {
    const examId = await insertExam(db, { mockType: 'Situational Judgment' });
    const bookingId = await insertBookingRow(db, (await insertContact(db)).contactId, examId, {
      tokenUsed: 'Situational Judgment Token',
    });
    const admin = await adminAs('super_admin', { sub: 'idp|bob' });
    const updated = await admin.admin.exams.update.mutate({
      examId,
      examDate: '2031-11-03',
      startTime: '18:00',
      endTime: '21:00',
      mockSet: 'C',
    });
    expect(updated.startTime?.toISOString()).toBe('2031-11-03T23:00:00.000Z');
    expect(updated.bookingsUpdated).toBe(1);
    const { rows } = await db.query(
      'select exam_date::text, start_time, end_time, mock_set from hubspot_bookings where id = $1',
      [bookingId],
    );
    expect(rows[0]).toEqual({
      exam_date: '2031-11-03',
      start_time: new Date('2031-11-03T23:00:00Z'),
      end_time: new Date('2031-11-04T02:00:00Z'),
      mock_set: 'C',
    });
    const [entry] = await auditOf(examId);
    expect(entry).toMatchObject({ admin_subject: 'idp|bob', action: 'exams.update' });
    expect(entry.before.examDate).not.toBe('2031-11-03');
    expect(entry.after.examDate).toBe('2031-11-03');
    expect(await outboxOf(bookingId)).toEqual([{ object_type: 'booking', change: 'updated' }]);
  });

  it('an unknown session is EXAM_NOT_FOUND', async () => {
    const admin = await adminAs('admin');
    expect(await failure(admin.admin.exams.update.mutate({ examId: 'nope', capacity: 5 }))).toMatchObject({
      appCode: 'EXAM_NOT_FOUND',
      httpStatus: 404,
    });
  });
});

describe('admin.exams.setStatus and delete (bulk, per item)', () => {
  it('activates, schedules and deactivates, reporting each session', async () => {
    const a = await insertExam(db, { isActive: 'false' });
    const b = await insertExam(db, { isActive: 'false' });
    const admin = await adminAs('admin');
    const activated = await admin.admin.exams.setStatus.mutate({ examIds: [a, b, 'missing'], status: 'active' });
    expect(activated.summary).toEqual({ total: 3, succeeded: 2, failed: 1 });
    expect(activated.results[2]).toMatchObject({ id: 'missing', ok: false, appCode: 'EXAM_NOT_FOUND' });
    const at = new Date('2031-05-01T12:00:05Z');
    const atText = '2031-05-01T08:00:05-04:00';
    const scheduled = await admin.admin.exams.setStatus.mutate({
      examIds: [a],
      status: 'scheduled',
      activateAt: atText,
    });
    expect(scheduled.results[0]).toMatchObject({
      ok: true,
      result: { isActive: 'scheduled', scheduledActivationDatetime: at },
    });
    await admin.admin.exams.setStatus.mutate({ examIds: [a], status: 'inactive' });
    const { rows } = await db.query(
      'select is_active, scheduled_activation_datetime from hubspot_mock_exams where hubspot_id = $1',
      [a],
    );
    expect(rows[0]).toEqual({ is_active: 'false', scheduled_activation_datetime: null });
  });

  it('deletes sessions without Active/Completed bookings; refuses the others with EXAM_HAS_BOOKINGS', async () => {
    const empty = await insertExam(db);
    const onlyCancelled = await insertExam(db);
    await insertBookingRow(db, (await insertContact(db)).contactId, onlyCancelled, { status: 'Cancelled' });
    const completed = await insertExam(db);
    await insertBookingRow(db, (await insertContact(db)).contactId, completed, {
      status: 'Completed',
      attendance: 'Yes',
    });
    const admin = await adminAs('super_admin');
    const result = await admin.admin.exams.delete.mutate({ examIds: [empty, onlyCancelled, completed] });
    expect(result.results.map((r) => [r.id, r.ok ? 'deleted' : r.appCode])).toEqual([
      [empty, 'deleted'],
      [onlyCancelled, 'deleted'],
      [completed, 'EXAM_HAS_BOOKINGS'],
    ]);
    const left = await db.query('select hubspot_id from hubspot_mock_exams where hubspot_id = any($1)', [
      [empty, onlyCancelled, completed],
    ]);
    expect(left.rows).toEqual([{ hubspot_id: completed }]);
    expect((await auditOf(empty))[0]).toMatchObject({ action: 'exams.delete', after: null });
    // HubSpot hears of each deletion through the outbox, written in the deleting transaction; the refused one is not.
    const announced = await db.query(
      `select object_id, change, payload from sync_outbox where object_type = 'exam' and change = 'deleted' and object_id = any($1) order by id`,
      [[empty, onlyCancelled, completed]],
    );
    expect(announced.rows).toEqual([
      { object_id: empty, change: 'deleted', payload: expect.objectContaining({ mockType: 'Clinical Skills' }) },
      {
        object_id: onlyCancelled,
        change: 'deleted',
        payload: expect.objectContaining({ mockType: 'Clinical Skills' }),
      },
    ]);
    // admin may do everything but delete sessions.
    const plainAdmin = await adminAs('admin');
    expect(await failure(plainAdmin.admin.exams.delete.mutate({ examIds: [completed] }))).toMatchObject({
      appCode: 'FORBIDDEN',
      details: { permission: 'exams.delete' },
    });
  });
});

describe('the audit log', () => {
  it('is append-only: Postgres refuses UPDATE, DELETE and TRUNCATE', async () => {
    const admin = await adminAs('admin');
    const created = await admin.admin.exams.create.mutate({
      mockType: 'Mock Discussion',
      examDate: '2031-02-02',
      startTime: '10:00',
      endTime: '11:00',
      location: 'Online',
      capacity: 5,
    });
    await expect(
      db.query(`update admin_audit_log set action = 'x' where $1 = any(target_ids)`, [created.examId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query('delete from admin_audit_log')).rejects.toThrow(/append-only/);
    await expect(db.query('truncate admin_audit_log')).rejects.toThrow(/append-only/);
  });

  it('admin.audit.list filters by target and by admin, newest first', async () => {
    const examId = await insertExam(db, { capacity: 8 });
    const carol = await adminAs('admin', { sub: 'idp|carol' });
    const dave = await adminAs('admin', { sub: 'idp|dave' });
    await carol.admin.exams.update.mutate({ examId, capacity: 9 });
    await dave.admin.exams.update.mutate({ examId, capacity: 10 });
    const viewer = await adminAs('viewer');
    const byTarget = await viewer.admin.audit.list.query({ targetId: examId });
    expect(byTarget.items.map((i) => [i.adminSubject, i.after?.capacity])).toEqual([
      ['idp|dave', 10],
      ['idp|carol', 9],
    ]);
    const byAdmin = await viewer.admin.audit.list.query({ targetId: examId, adminSubject: 'idp|carol' });
    expect(byAdmin.total).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
  });
});
