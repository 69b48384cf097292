import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../client/src';
import { useTestService } from './helpers/service';

const s = useTestService({ TRPC_MAX_BATCH_SIZE: '3' });
const { db } = s;
beforeEach(() => db.query('delete from hubspot_mock_exams'));

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR);

async function addExam(row: {
  id: string;
  type?: string;
  date?: string;
  startsInHours?: number | null;
  isActive?: string;
  activationInHours?: number;
  capacity?: number;
  booked?: number;
  location?: string;
}) {
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time, end_time, is_active, scheduled_activation_datetime, capacity, total_bookings, location)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      row.id,
      row.type ?? 'Clinical Skills',
      row.date ?? '2030-03-01',
      row.startsInHours === null ? null : inHours(row.startsInHours ?? 48),
      row.startsInHours === null ? null : inHours((row.startsInHours ?? 48) + 3),
      row.isActive ?? 'true',
      row.activationInHours === undefined ? null : inHours(row.activationInHours),
      row.capacity ?? 8,
      row.booked ?? 0,
      row.location ?? 'Toronto',
    ],
  );
}

const ids = (rows: Array<{ examId: string }>) => rows.map((r) => r.examId);

describe('exams.available through the client', () => {
  it('lists bookable sessions with seats, in start order, with the contract fields', async () => {
    await addExam({ id: 'later', startsInHours: 72 });
    await addExam({ id: 'sooner', startsInHours: 24, capacity: 8, booked: 6 });
    const rows = await s.client.exams.available.query();
    expect(ids(rows)).toEqual(['sooner', 'later']);
    expect(rows[0]).toEqual({
      examId: 'sooner',
      mockType: 'Clinical Skills',
      mockSet: null,
      examDate: '2030-03-01',
      startTime: expect.any(Date),
      endTime: expect.any(Date),
      location: 'Toronto',
      capacity: 8,
      totalBookings: 6,
      availableSlots: 2,
      status: 'limited',
      cursor: expect.any(String),
    });
    expect(rows[1]).toMatchObject({ availableSlots: 8, status: 'available' });
  });

  it('applies the bookable rule: active or scheduled-and-activated, not started', async () => {
    await addExam({ id: 'active' });
    await addExam({ id: 'inactive', isActive: 'false' });
    await addExam({ id: 'scheduled-open', isActive: 'scheduled', activationInHours: -0.01 });
    await addExam({ id: 'scheduled-later', isActive: 'scheduled', activationInHours: 1 });
    await addExam({ id: 'started', startsInHours: -0.5 });
    await addExam({ id: 'no-start-time', startsInHours: null });
    expect(ids(await s.client.exams.available.query()).sort()).toEqual(['active', 'scheduled-open']);
  });

  it('hides full sessions unless includeFull, and reports them as full', async () => {
    await addExam({ id: 'full', capacity: 8, booked: 8 });
    await addExam({ id: 'open', capacity: 8, booked: 4 });
    expect(ids(await s.client.exams.available.query())).toEqual(['open']);
    const all = await s.client.exams.available.query({ includeFull: true });
    expect(all.find((r) => r.examId === 'full')).toMatchObject({ availableSlots: 0, status: 'full' });
    expect(all.find((r) => r.examId === 'open')).toMatchObject({ availableSlots: 4, status: 'available' });
  });

  it('filters by type, date range and location (case-insensitive)', async () => {
    await addExam({ id: 'cs-mar-1', type: 'Clinical Skills', date: '2030-03-01', location: 'Calgary' });
    await addExam({ id: 'sj-mar-2', type: 'Situational Judgment', date: '2030-03-02' });
    await addExam({ id: 'cs-mar-5', type: 'Clinical Skills', date: '2030-03-05' });
    expect(ids(await s.client.exams.available.query({ mockType: 'Clinical Skills' })).sort()).toEqual([
      'cs-mar-1',
      'cs-mar-5',
    ]);
    expect(ids(await s.client.exams.available.query({ from: '2030-03-02', to: '2030-03-04' }))).toEqual(['sj-mar-2']);
    expect(ids(await s.client.exams.available.query({ location: 'calgary' }))).toEqual(['cs-mar-1']);
  });

  it.each([
    ['an unknown mock type', { mockType: 'Surgery' }],
    ['a malformed date', { from: '01/03/2030' }],
    ['from after to', { from: '2030-03-05', to: '2030-03-01' }],
    ['an unknown field', { examId: 'x' }],
    ['a non-boolean includeFull', { includeFull: 'yes' }],
    ['an empty location', { location: '  ' }],
  ])('rejects %s with VALIDATION_FAILED naming the field', async (_label, input) => {
    const error = await s.client.exams.available.query(input as never).catch((e: unknown) => e);
    expect(isAppError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as { data: { httpStatus: number } }).data.httpStatus).toBe(400);
  });
});

describe('request limits', () => {
  it('refuses a batch larger than TRPC_MAX_BATCH_SIZE', async () => {
    const res = await fetch(
      `${s.url}/api/trpc/exams.available,exams.available,exams.available,exams.available?batch=1&input={}`,
    );
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/at most \d+ calls per batch/);
  });

  it('answers an unknown procedure with 404 and an unknown path with JSON 404', async () => {
    expect((await fetch(`${s.url}/api/trpc/exams.nope`)).status).toBe(404);
    const res = await fetch(`${s.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'NOT_FOUND' });
  });

  it('answers CORS preflight for FRONTEND_URL with credentials, and echoes a request id', async () => {
    const res = await fetch(`${s.url}/api/trpc/exams.available`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${s.url}/api/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const traced = await fetch(`${s.url}/api/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-123');
  });
});
