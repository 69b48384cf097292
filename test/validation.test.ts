import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import { insertContact, loginClient, type TestContact } from './helpers/factories';
import { type ErrorData, failure } from './helpers/failure';
import { useTestService } from './helpers/service';

/**
 * Every input field of every procedure, given bad values: each must be answered VALIDATION_FAILED
 * (HTTP 400) naming the field in `data.fieldErrors`, never a 500 and never a call that goes through.
 */

const s = useTestService();
const { db } = s;
let contact: TestContact;
let api: Client;

beforeAll(async () => {
  contact = await insertContact(db, { cs_credits: 5, sj_credits: 5, shared_mock_credits: 5 });
  api = await loginClient(s.url, contact);
});

/** VALIDATION_FAILED, 400, and exactly `field` named in fieldErrors with a message. */
async function expectFieldError(call: Promise<unknown>, field: string) {
  const data = await failure(call);
  expect(data).toMatchObject({ appCode: 'VALIDATION_FAILED', httpStatus: 400 });
  expect(Object.keys(data.fieldErrors ?? {}), JSON.stringify(data.fieldErrors)).toEqual([field]);
  expect(data.fieldErrors![field]![0]).toEqual(expect.any(String));
}

/** Drop `key` from an object (to send the field missing). */
const without = <T extends Record<string, unknown>>(obj: T, key: keyof T) =>
  Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));

type Row = [field: string, label: string, input: Record<string, unknown>];

describe('auth.login', () => {
  const ok = { studentId: 'S12345', email: 'student@example.com' };
  const rows: Row[] = [
    ['studentId', 'empty', { ...ok, studentId: '' }],
    ['studentId', 'only spaces', { ...ok, studentId: '   ' }],
    ['studentId', 'longer than 50', { ...ok, studentId: 'S'.repeat(51) }],
    ['studentId', 'with a space inside', { ...ok, studentId: 'a b' }],
    ['studentId', 'with illegal characters', { ...ok, studentId: "S1' OR '1'='1" }],
    ['studentId', 'a number', { ...ok, studentId: 12345 }],
    ['studentId', 'missing', without(ok, 'studentId')],
    ['email', 'not an email', { ...ok, email: 'not-an-email' }],
    [
      'email',
      'longer than 254',
      { ...ok, email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` },
    ],
    ['email', 'empty', { ...ok, email: '' }],
    ['email', 'null', { ...ok, email: null }],
    ['email', 'missing', without(ok, 'email')],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(s.client.auth.login.mutate(input as never), field);
  });
});

describe('exams.available', () => {
  const rows: Row[] = [
    ['mockType', 'unknown', { mockType: 'Surgery' }],
    ['mockType', 'in the wrong case', { mockType: 'clinical skills' }],
    ['mockType', 'a number', { mockType: 3 }],
    ['from', 'not ISO', { from: '01/03/2030' }],
    ['from', 'not a real date', { from: '2030-02-30' }],
    ['from', 'a timestamp', { from: '2030-03-01T10:00:00Z' }],
    ['to', 'not a date', { to: 'tomorrow' }],
    ['to', 'before from', { from: '2030-03-05', to: '2030-03-01' }],
    ['location', 'empty', { location: '' }],
    ['location', 'only spaces', { location: '   ' }],
    ['location', 'longer than 200', { location: 'L'.repeat(201) }],
    ['includeFull', 'a string', { includeFull: 'yes' }],
    ['includeFull', 'a number', { includeFull: 1 }],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(s.client.exams.available.query(input as never), field);
  });

  it('rejects an input that is not an object', async () => {
    expect(await failure(s.client.exams.available.query('Clinical Skills' as never))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      httpStatus: 400,
    });
  });
});

describe('exams.byId', () => {
  const rows: Row[] = [
    ['examId', 'empty', { examId: '' }],
    ['examId', 'only spaces', { examId: '   ' }],
    ['examId', 'longer than 100', { examId: 'e'.repeat(101) }],
    ['examId', 'a number', { examId: 42 }],
    ['examId', 'missing', {}],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(s.client.exams.byId.query(input as never), field);
  });
});

describe('credits.check', () => {
  const rows: Row[] = [
    ['mockType', 'unknown', { mockType: 'Surgery' }],
    ['mockType', 'empty', { mockType: '' }],
    ['mockType', 'null', { mockType: null }],
    ['mockType', 'missing', {}],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(api.credits.check.query(input as never), field);
  });
});

describe('bookings.create', () => {
  const ok = { examId: 'exam-1', idempotencyKey: 'key-12345678', attendingLocation: 'Toronto', dominantHand: 'Left' };
  const rows: Row[] = [
    ['examId', 'empty', { ...ok, examId: '' }],
    ['examId', 'only spaces', { ...ok, examId: '  ' }],
    ['examId', 'longer than 100', { ...ok, examId: 'e'.repeat(101) }],
    ['examId', 'a number', { ...ok, examId: 7 }],
    ['examId', 'missing', without(ok, 'examId')],
    ['idempotencyKey', 'shorter than 8', { ...ok, idempotencyKey: 'k-12345' }],
    ['idempotencyKey', 'longer than 100', { ...ok, idempotencyKey: 'k'.repeat(101) }],
    ['idempotencyKey', 'with spaces', { ...ok, idempotencyKey: 'key with spaces' }],
    ['idempotencyKey', 'with a slash', { ...ok, idempotencyKey: 'key/12345678' }],
    ['idempotencyKey', 'with non-ASCII letters', { ...ok, idempotencyKey: 'schlüssel-1234' }],
    ['idempotencyKey', 'a number', { ...ok, idempotencyKey: 123456789 }],
    ['attendingLocation', 'empty', { ...ok, attendingLocation: '' }],
    ['attendingLocation', 'only spaces', { ...ok, attendingLocation: '   ' }],
    ['attendingLocation', 'longer than 100', { ...ok, attendingLocation: 'L'.repeat(101) }],
    ['dominantHand', 'lower case', { ...ok, dominantHand: 'left' }],
    ['dominantHand', 'neither Left nor Right', { ...ok, dominantHand: 'Both' }],
    ['dominantHand', 'empty', { ...ok, dominantHand: '' }],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(api.bookings.create.mutate(input as never), field);
  });
});

describe('bookings.mine', () => {
  const rows: Row[] = [
    ['filter', 'unknown', { filter: 'future' }],
    ['filter', 'in the wrong case', { filter: 'All' }],
    ['cursor', 'longer than 500', { cursor: 'c'.repeat(501) }],
    ['cursor', 'a number', { cursor: 12 }],
    ['limit', '0', { limit: 0 }],
    ['limit', '101', { limit: 101 }],
    ['limit', 'negative', { limit: -1 }],
    ['limit', 'fractional', { limit: 1.5 }],
    ['limit', 'a string', { limit: '10' }],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(api.bookings.mine.query(input as never), field);
  });

  it.each([
    ['a short garbage string', 'abc'],
    [
      'base64url of JSON that is not a cursor',
      Buffer.from(JSON.stringify({ sortKey: 1, bookingId: 'x' })).toString('base64url'),
    ],
    [
      'base64url of a cursor with a bad booking id',
      Buffer.from(JSON.stringify({ sortKey: '2030-01-01T00:00:00Z', bookingId: "'; drop table x; --" })).toString(
        'base64url',
      ),
    ],
  ])('rejects a cursor it did not issue (%s) with VALIDATION_FAILED naming the cursor', async (_label, cursor) => {
    const data = await failure(api.bookings.mine.query({ cursor }));
    expect(data).toMatchObject({ appCode: 'VALIDATION_FAILED', httpStatus: 400 });
    // The service (not the schema) finds this one; it names the field in details.
    expect(data.details).toEqual({ field: 'cursor' });
  });
});

describe('bookings.mine cursor, on the wire', () => {
  it('names a cursor it did not issue in fieldErrors, the shape of a schema failure', async () => {
    await expectFieldError(api.bookings.mine.query({ cursor: 'abc' }), 'cursor');
  });
});

describe('bookings.byId', () => {
  const rows: Row[] = [
    ['bookingId', 'not a uuid', { bookingId: 'not-a-uuid' }],
    ['bookingId', 'a uuid with a character too many', { bookingId: `${randomUUID()}0` }],
    ['bookingId', 'empty', { bookingId: '' }],
    ['bookingId', 'a number', { bookingId: 1 }],
    ['bookingId', 'missing', {}],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(api.bookings.byId.query(input as never), field);
  });
});

describe('bookings.cancel', () => {
  const ok = { bookingId: randomUUID(), reason: 'changed plans' };
  const rows: Row[] = [
    ['bookingId', 'not a uuid', { ...ok, bookingId: 'booking-1' }],
    ['bookingId', 'missing', without(ok, 'bookingId')],
    ['reason', 'longer than 500', { ...ok, reason: 'r'.repeat(501) }],
    ['reason', 'a number', { ...ok, reason: 5 }],
  ];
  it.each(rows)('rejects %s %s', async (field, _label, input) => {
    await expectFieldError(api.bookings.cancel.mutate(input as never), field);
  });
});

describe('unknown keys', () => {
  // Every object input is strict: an unexpected key is refused, and named, rather than ignored.
  const cases: Array<
    [procedure: string, call: (input: Record<string, unknown>) => Promise<unknown>, input: Record<string, unknown>]
  > = [
    [
      'auth.login',
      (i) => s.client.auth.login.mutate(i as never),
      { studentId: 'S12345', email: 'student@example.com' },
    ],
    ['exams.available', (i) => s.client.exams.available.query(i as never), { mockType: 'Clinical Skills' }],
    ['exams.byId', (i) => s.client.exams.byId.query(i as never), { examId: 'exam-1' }],
    ['credits.check', (i) => api.credits.check.query(i as never), { mockType: 'Clinical Skills' }],
    ['bookings.create', (i) => api.bookings.create.mutate(i as never), { examId: 'exam-1' }],
    ['bookings.mine', (i) => api.bookings.mine.query(i as never), { filter: 'all' }],
    ['bookings.byId', (i) => api.bookings.byId.query(i as never), { bookingId: randomUUID() }],
    ['bookings.cancel', (i) => api.bookings.cancel.mutate(i as never), { bookingId: randomUUID() }],
  ];
  it.each(cases)('%s rejects an unknown key with VALIDATION_FAILED naming it', async (_procedure, call, input) => {
    await expectFieldError(call({ ...input, contactId: 'someone-else' }), 'contactId');
  });
});

describe('no bad input reached the database', () => {
  it('left no booking and no credit spent', async () => {
    const { rows } = await db.query('select count(*)::int as n from hubspot_bookings');
    expect(rows[0].n).toBe(0);
    expect(await api.credits.mine.query()).toMatchObject({ csCredits: 5, sjCredits: 5, sharedMockCredits: 5 });
  });
});

describe('request bodies', () => {
  const small = useTestService({ TRPC_MAX_BODY_BYTES: '2000' });
  const { db: smallDb } = small;

  const post = (path: string, body: string) =>
    fetch(`${small.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers a mutation body over TRPC_MAX_BODY_BYTES with 413, and stays healthy', async () => {
    const body = JSON.stringify({ json: { studentId: 'S12345', email: `${'a'.repeat(5_000)}@example.com` } });
    expect(body.length).toBeGreaterThan(5_000);
    const res = await post('auth.login', body);
    expect(res.status).toBe(413);
    const answer = (await res.json()) as { error: { json: { data: ErrorData } } };
    expect(answer.error.json.data).toMatchObject({ appCode: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });

    expect((await fetch(`${small.url}/api/health`)).status).toBe(200);
    const student = await insertContact(smallDb);
    const session = await small.client.auth.login.mutate({ studentId: student.studentId, email: student.email });
    expect(session.contact.contactId).toBe(student.contactId);
  });

  it.each([
    ['truncated JSON', '{"json": {"studentId": "S1"'],
    ['not JSON at all', 'studentId=S1&email=a@example.com'],
  ])('answers a mutation with a malformed body (%s) with 400 VALIDATION_FAILED, not 500', async (_label, body) => {
    const res = await post('auth.login', body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { json: { data: ErrorData } } };
    expect(answer.error.json.data).toMatchObject({ appCode: 'VALIDATION_FAILED', httpStatus: 400 });
    expect((await fetch(`${small.url}/api/health`)).status).toBe(200);
  });
});
