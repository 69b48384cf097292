import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import { insertContact, insertExam, loginClient, type TestContact } from './helpers/factories';
import { failure } from './helpers/failure';
import { rawCall, rawData, rawError } from './helpers/rawHttp';
import { useTestService } from './helpers/service';

/**
 * The HTTP contract as raw callers meet it: what is answered to malformed superjson, a missing
 * envelope, the wrong method, content type or size, and odd but harmless values (issue 15 items 7–8,
 * issue 18 items 1 and 4). Every refusal is a typed 4xx, never a 500.
 */

const s = useTestService({ TRPC_MAX_BODY_BYTES: '2000', TRPC_MAX_BATCH_SIZE: '3' });
const { db } = s;
let contact: TestContact;
let api: Client;
let examId: string;

beforeAll(async () => {
  contact = await insertContact(db, { cs_credits: 5 });
  api = await loginClient(s.url, contact);
  examId = await insertExam(db, { location: 'Wiretown' });
});

const json = (value: unknown) => JSON.stringify(value);

describe('superjson meta (issue 18 item 1)', () => {
  const malformedMeta = { json: { location: 'x' }, meta: { values: { location: ['class', 'F'] } } };

  it('answers the recursion-triggering meta on a query with a 400, before superjson reads it', async () => {
    const answer = await rawCall(s.url, 'exams.available', { query: { input: json(malformedMeta) } });
    expect(answer.status).toBe(400);
    expect(rawError(answer)).toMatchObject({
      data: { appCode: 'VALIDATION_FAILED' },
      message: expect.stringContaining('"meta" may only mark fields as undefined'),
    });
  });

  it('answers it on auth.login (public, before the rate limiter) and in every call of a batch', async () => {
    const login = await rawCall(s.url, 'auth.login', {
      body: json({ json: { studentId: 'S1', email: 'a@b.c' }, meta: { values: { email: ['class', 'F'] } } }),
    });
    expect([login.status, rawError(login).data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
    const batch = await rawCall(s.url, 'exams.available,exams.available', {
      query: { batch: '1', input: json({ 0: malformedMeta, 1: malformedMeta }) },
    });
    expect(batch.status).toBe(400);
    expect(
      (batch.body as unknown[]).map(
        (b) => (b as { error: { json: { data: { appCode: string } } } }).error.json.data.appCode,
      ),
    ).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
  });

  it.each([
    ['a custom annotation', { values: { location: ['custom', 'x'] } }],
    ['a Date annotation', { values: { location: ['Date'] } }],
    ['referential equalities', { referentialEqualities: { location: ['x'] } }],
    ['a tree deeper than any input', { values: JSON.parse(`${'{"a":'.repeat(50)}["undefined"]${'}'.repeat(50)}`) }],
    ['an unknown version', { values: { location: ['undefined'] }, v: 7 }],
  ])('refuses %s', async (_label, meta) => {
    const answer = await rawCall(s.url, 'exams.available', { query: { input: json({ json: {}, meta }) } });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('still accepts what the client sends: fields left undefined', async () => {
    const answer = await rawCall(s.url, 'exams.available', {
      query: {
        input: json({
          json: { location: 'Wiretown', mockType: null },
          meta: { values: { mockType: ['undefined'] }, v: 1 },
        }),
      },
    });
    expect(answer.status).toBe(200);
    expect((rawData(answer) as Array<{ examId: string }>).map((e) => e.examId)).toEqual([examId]);
    // …and the client itself, with an optional field explicitly undefined.
    const listed = await api.exams.available.query({ location: 'Wiretown', mockType: undefined });
    expect(listed.map((e) => e.examId)).toEqual([examId]);
  });
});

describe('the superjson envelope (issue 15 item 8)', () => {
  it('refuses a query input that is not wrapped, saying how to wrap it (it used to list every session)', async () => {
    const answer = await rawCall(s.url, 'exams.available', { query: { input: json({ location: 'Nowhere' }) } });
    expect(answer.status).toBe(400);
    const error = rawError(answer);
    expect(error.data.appCode).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('{"json": <input>}');
  });

  it('refuses a mutation body that is not wrapped, saying how to wrap it', async () => {
    const answer = await rawCall(s.url, 'auth.login', { body: json({ studentId: 'S1', email: 'a@b.c' }) });
    expect(answer.status).toBe(400);
    expect(rawError(answer)).toMatchObject({
      data: { appCode: 'VALIDATION_FAILED' },
      message: expect.stringContaining('{"json": <input>}'),
    });
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"x"'],
  ])('refuses %s as a body', async (_label, body) => {
    const answer = await rawCall(s.url, 'auth.login', { body });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('answers a wrapped raw query and mutation (the README examples)', async () => {
    const query = await rawCall(s.url, 'exams.available', {
      query: { input: json({ json: { location: 'Wiretown' } }) },
    });
    expect((rawData(query) as Array<{ examId: string }>).map((e) => e.examId)).toEqual([examId]);
    const login = await rawCall(s.url, 'auth.login', {
      body: json({ json: { studentId: contact.studentId, email: contact.email } }),
    });
    expect(login.status).toBe(200);
    expect(rawData(login)).toMatchObject({ contact: { contactId: contact.contactId } });
  });
});

describe('codes that say what happened (issue 15 item 7)', () => {
  it('answers a wrong content type 415 UNSUPPORTED_MEDIA_TYPE, not INTERNAL_ERROR', async () => {
    const answer = await rawCall(s.url, 'auth.login', {
      body: json({ json: {} }),
      headers: { 'content-type': 'text/plain' },
    });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(rawError(answer).message).toContain('application/json');
  });

  it('refuses a form post to a mutation with 415 (tRPC would take forms)', async () => {
    const form = new FormData();
    form.set('studentId', 'S1');
    const res = await fetch(`${s.url}/api/trpc/auth.logout`, { method: 'POST', body: form });
    expect(res.status).toBe(415);
  });

  it('answers an unknown procedure 404 PROCEDURE_NOT_FOUND', async () => {
    const answer = await rawCall(s.url, 'exams.nope');
    expect([answer.status, rawError(answer).data.appCode]).toEqual([404, 'PROCEDURE_NOT_FOUND']);
  });

  it('answers the wrong method 405 METHOD_NOT_SUPPORTED', async () => {
    const answer = await rawCall(s.url, 'auth.login', { method: 'GET' });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([405, 'METHOD_NOT_SUPPORTED']);
  });

  it('states the limit of a body that is too large', async () => {
    const answer = await rawCall(s.url, 'auth.login', { body: json({ json: { studentId: 'x'.repeat(3000) } }) });
    expect(answer.status).toBe(413);
    expect(rawError(answer)).toMatchObject({
      data: { appCode: 'PAYLOAD_TOO_LARGE', details: { limit: 2000, unit: 'bytes' } },
      message: expect.stringContaining('2000 bytes'),
    });
  });

  it('states the limit of a batch that is too large', async () => {
    const answer = await rawCall(s.url, 'exams.available,exams.available,exams.available,exams.available', {
      query: { batch: '1', input: '{}' },
    });
    expect(answer.status).toBe(413);
    expect(rawError(answer)).toMatchObject({
      data: { appCode: 'PAYLOAD_TOO_LARGE', details: { limit: 3, unit: 'calls' } },
      message: expect.stringContaining('at most 3 calls per batch'),
    });
  });
});

describe('odd but harmless input (issue 18 item 4)', () => {
  it.each(['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'])(
    'answers an unknown key "%s" as VALIDATION_FAILED naming it',
    async (key) => {
      const answer = await rawCall(s.url, 'exams.available', { query: { input: `{"json":{"${key}":1}}` } });
      expect(answer.status).toBe(400);
      const error = rawError(answer);
      expect(error.data.appCode).toBe('VALIDATION_FAILED');
      expect(Object.keys(error.data.fieldErrors ?? {})).toEqual([key]);
    },
  );

  it.each(['constructor', 'prototype'])(
    'answers an unknown key "%s" as VALIDATION_FAILED under the input, its message naming it',
    async (key) => {
      const answer = await rawCall(s.url, 'exams.available', { query: { input: `{"json":{"${key}":1}}` } });
      expect(answer.status).toBe(400);
      const error = rawError(answer);
      expect(error.data).toMatchObject({
        appCode: 'VALIDATION_FAILED',
        fieldErrors: { '(input)': [`Unrecognized key: "${key}"`] },
      });
    },
  );

  it.each([
    ['exams.available location', () => api.exams.available.query({ location: 'To\u0000ronto' }), 'location'],
    ['exams.byId examId', () => api.exams.byId.query({ examId: 'exam\u0000' }), 'examId'],
    ['bookings.create examId', () => api.bookings.create.mutate({ examId: 'e\u0000' }), 'examId'],
    [
      'bookings.create attendingLocation',
      () => api.bookings.create.mutate({ examId, attendingLocation: 'A\u0000' }),
      'attendingLocation',
    ],
    [
      'bookings.cancel reason',
      () => api.bookings.cancel.mutate({ bookingId: crypto.randomUUID(), reason: 'why\u0000' }),
      'reason',
    ],
  ])('refuses a NUL byte in %s as VALIDATION_FAILED', async (_label, call, field) => {
    const data = await failure(call());
    expect(data.appCode).toBe('VALIDATION_FAILED');
    expect(Object.keys(data.fieldErrors ?? {})).toEqual([field]);
  });

  it.each(['0000-01-01', '0000-12-31'])('refuses the date %s as VALIDATION_FAILED', async (date) => {
    const data = await failure(api.exams.available.query({ from: date }));
    expect([data.appCode, Object.keys(data.fieldErrors ?? {})]).toEqual(['VALIDATION_FAILED', ['from']]);
  });

  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['a sort key that is not a timestamp', { sortKey: 'tomorrow', bookingId: crypto.randomUUID() }],
    ['a sort key in year 0', { sortKey: '0000-01-01 00:00:00+00', bookingId: crypto.randomUUID() }],
    ['a sort key with a 13th month', { sortKey: '2030-13-01 00:00:00+00', bookingId: crypto.randomUUID() }],
    ['a booking id of dashes', { sortKey: '-infinity', bookingId: '-'.repeat(36) }],
  ])('refuses a tampered cursor (%s) as VALIDATION_FAILED', async (_label, cursor) => {
    const data = await failure(api.bookings.mine.query({ cursor: cursorOf(cursor) }));
    expect([data.appCode, data.details]).toEqual(['VALIDATION_FAILED', { field: 'cursor' }]);
  });

  it('answers a value Postgres refuses (class 22) as VALIDATION_FAILED, not a 500', async () => {
    // 30 February passes the cursor's pattern; Postgres refuses it (22008).
    const cursor = cursorOf({ sortKey: '2030-02-30 00:00:00+00', bookingId: crypto.randomUUID() });
    const data = await failure(api.bookings.mine.query({ cursor }));
    expect([data.appCode, data.httpStatus]).toEqual(['VALIDATION_FAILED', 400]);
  });
});
