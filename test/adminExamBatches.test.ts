import { afterAll, describe, expect, it } from 'vitest';
import { adminClients } from './helpers/adminClient';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env });
const { db } = s;
const adminAs = adminClients(idp, () => s.url);

const sessionsOn = async (date: string, location: string) =>
  (
    await db.query(
      `select mock_type, capacity, is_active, to_char(start_time at time zone 'America/Toronto', 'HH24:MI') as start, to_char(end_time at time zone 'America/Toronto', 'HH24:MI') as "end"
       from hubspot_mock_exams where exam_date = $1 and location = $2 order by start_time`,
      [date, location],
    )
  ).rows;

describe('admin.exams.bulkCreate', () => {
  it('one session per slot in one transaction, a capacity per slot or for all; overlapping slots refused', async () => {
    const admin = await adminAs('admin');
    const { created } = await admin.admin.exams.bulkCreate.mutate({
      mockType: 'Clinical Skills',
      examDate: '2036-04-01',
      location: 'Vancouver',
      mockSet: 'B',
      capacity: 10,
      timeSlots: [
        { startTime: '09:00', endTime: '12:00' },
        { startTime: '13:00', endTime: '16:00', capacity: 4 },
      ],
    });
    expect(created).toHaveLength(2);
    expect(await sessionsOn('2036-04-01', 'Vancouver')).toEqual([
      { mock_type: 'Clinical Skills', capacity: 10, is_active: 'true', start: '09:00', end: '12:00' },
      { mock_type: 'Clinical Skills', capacity: 4, is_active: 'true', start: '13:00', end: '16:00' },
    ]);
    const outbox = await db.query(`select count(*)::int as n from sync_outbox where object_id = any($1)`, [
      created.map((c) => c.examId),
    ]);
    expect(outbox.rows[0].n).toBe(2);
    const overlapping = await failure(
      admin.admin.exams.bulkCreate.mutate({
        mockType: 'Clinical Skills',
        examDate: '2036-04-02',
        location: 'Vancouver',
        capacity: 10,
        timeSlots: [
          { startTime: '09:00', endTime: '12:00' },
          { startTime: '11:00', endTime: '13:00' },
        ],
      }),
    );
    expect(overlapping).toMatchObject({ appCode: 'VALIDATION_FAILED' });
    expect(JSON.stringify(overlapping.fieldErrors)).toContain('overlaps another slot');
    expect(await sessionsOn('2036-04-02', 'Vancouver')).toEqual([]);
    expect(
      await failure(
        admin.admin.exams.bulkCreate.mutate({
          mockType: 'Clinical Skills',
          examDate: '2036-04-03',
          location: 'Vancouver',
          timeSlots: [{ startTime: '09:00', endTime: '12:00' }],
        }),
      ),
    ).toMatchObject({ appCode: 'VALIDATION_FAILED' });
  });
});

describe('admin.exams.clone', () => {
  it('copies sessions from the database to a new date at the same Toronto time, across a DST change', async () => {
    const admin = await adminAs('admin');
    // 09:00 in Toronto in winter (EST); the clone lands in summer (EDT) and must still start at 09:00.
    const source = await admin.admin.exams.create.mutate({
      mockType: 'Situational Judgment',
      examDate: '2036-01-15',
      startTime: '09:00',
      endTime: '11:30',
      location: 'Montreal',
      capacity: 12,
      mockSet: 'C',
    });
    const result = await admin.admin.exams.clone.mutate({
      examIds: [source.examId, 'no-such-exam'],
      examDate: '2036-07-15',
      overrides: { capacity: 20 },
    });
    expect(result.results.map((r) => (r.ok ? 'ok' : r.appCode))).toEqual(['ok', 'EXAM_NOT_FOUND']);
    expect(await sessionsOn('2036-07-15', 'Montreal')).toEqual([
      { mock_type: 'Situational Judgment', capacity: 20, is_active: 'false', start: '09:00', end: '11:30' },
    ]);
    const same = await admin.admin.exams.clone.mutate({ examIds: [source.examId], examDate: '2036-01-15' });
    expect(same.results[0]).toMatchObject({ ok: false, appCode: 'VALIDATION_FAILED' });
  });
});

describe('admin.exams.import', () => {
  const header = 'mock_type,exam_date,start_time,end_time,location,capacity,mock_set,is_active';
  it('a dry run lists each row’s problems and creates nothing; a clean file is created in one go', async () => {
    const admin = await adminAs('admin');
    const csv = [
      header,
      'Clinical Skills,2036-09-01,09:00,12:00,Calgary,8,A,true',
      'Mini-mock,2036-09-01,13:00,12:00,Calgary,0,B,true',
      'Nonsense,not-a-date,09:00,10:00,Calgary,8,,false',
    ].join('\n');
    const preview = await admin.admin.exams.import.mutate({ csv });
    expect(preview).toMatchObject({ dryRun: true, valid: 1, invalid: 2, created: [] });
    const [first, second, third] = preview.rows;
    expect(first).toEqual({ row: 2, ok: true });
    const fields = (r: typeof second) => (r && !r.ok ? r.problems.map((p) => p.field).sort() : []);
    expect(fields(second)).toEqual(['capacity', 'endTime', 'mockSet']);
    expect(fields(third)).toEqual(['examDate', 'mockType']);
    expect(await sessionsOn('2036-09-01', 'Calgary')).toEqual([]);
    expect(await failure(admin.admin.exams.import.mutate({ csv, dryRun: false }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      details: { field: 'csv' },
    });
    expect(await sessionsOn('2036-09-01', 'Calgary')).toEqual([]);

    const clean = [
      header,
      'Clinical Skills,2036-09-01,09:00,12:00,Calgary,8,A,true',
      'Mini-mock,2036-09-01,13:00,14:00,Calgary,6,,false',
    ].join('\n');
    const imported = await admin.admin.exams.import.mutate({ csv: clean, dryRun: false });
    expect(imported).toMatchObject({ dryRun: false, valid: 2, invalid: 0 });
    expect(imported.created).toHaveLength(2);
    expect(await sessionsOn('2036-09-01', 'Calgary')).toEqual([
      { mock_type: 'Clinical Skills', capacity: 8, is_active: 'true', start: '09:00', end: '12:00' },
      { mock_type: 'Mini-mock', capacity: 6, is_active: 'false', start: '13:00', end: '14:00' },
    ]);
    expect(await failure(admin.admin.exams.import.mutate({ csv: '"unclosed,quote\n' }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
    });
  });
});
