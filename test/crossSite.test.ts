import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, insertExam, type TestContact } from './helpers/factories';
import { rawCall, rawData, rawError } from './helpers/rawHttp';
import { useTestService } from './helpers/service';

/**
 * Mutations the session cookie authenticates must come from an allowed frontend (issue 18 item 11):
 * a page elsewhere cannot act for the student through the browser's cookie. Bearer calls are unaffected.
 */

const FRONTEND = 'https://app.example.org';
const s = useTestService({ FRONTEND_URL: FRONTEND });
const { db } = s;
let contact: TestContact;
let cookie: string;
let token: string;

const loginBody = () => JSON.stringify({ json: { studentId: contact.studentId, email: contact.email } });

beforeAll(async () => {
  contact = await insertContact(db, { cs_credits: 5 });
  const login = await rawCall(s.url, 'auth.login', { body: loginBody(), headers: { origin: FRONTEND } });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  token = (rawData(login) as { token: string }).token;
});

const withCookie = (headers: Record<string, string>) => ({ cookie, ...headers });

describe('a mutation carrying the session cookie', () => {
  it('is refused 403 CROSS_SITE_REQUEST from another origin (auth.logout)', async () => {
    const answer = await rawCall(s.url, 'auth.logout', {
      body: '{}',
      headers: withCookie({ origin: 'https://evil.example' }),
    });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([403, 'CROSS_SITE_REQUEST']);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('is refused from another origin when it books, and nothing is booked', async () => {
    const examId = await insertExam(db);
    const answer = await rawCall(s.url, 'bookings.create', {
      body: JSON.stringify({ json: { examId } }),
      headers: withCookie({ origin: 'null' }),
    });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([403, 'CROSS_SITE_REQUEST']);
    const { rows } = await db.query('select count(*)::int as n from hubspot_bookings where associated_mock_exam = $1', [
      examId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('is refused without Origin when the browser says the page is cross-site', async () => {
    const answer = await rawCall(s.url, 'auth.logout', {
      body: '{}',
      headers: withCookie({ 'sec-fetch-site': 'cross-site' }),
    });
    expect([answer.status, rawError(answer).data.appCode]).toEqual([403, 'CROSS_SITE_REQUEST']);
  });

  it('goes through from the allowed frontend, from the same origin, and from a non-browser client', async () => {
    const variants: Array<Record<string, string>> = [
      { origin: FRONTEND, 'sec-fetch-site': 'same-site' },
      { origin: s.url, 'sec-fetch-site': 'same-origin' },
      {},
    ];
    for (const headers of variants) {
      // A login of its own each time: logout revokes the token, and later tests use the shared one.
      const login = await rawCall(s.url, 'auth.login', { body: loginBody(), headers: { origin: FRONTEND } });
      const own = login.headers.get('set-cookie')!.split(';')[0]!;
      const answer = await rawCall(s.url, 'auth.logout', { body: '{}', headers: { cookie: own, ...headers } });
      expect(answer.status, JSON.stringify(headers)).toBe(200);
    }
  });

  it('is not checked on queries (reading is not acting)', async () => {
    const answer = await rawCall(s.url, 'auth.me', { headers: withCookie({ origin: 'https://evil.example' }) });
    expect(answer.status).toBe(200);
  });
});

describe('a mutation with a bearer token', () => {
  it('is unaffected by Origin, even with the cookie beside it', async () => {
    const examId = await insertExam(db, { startsInHours: 200 });
    const answer = await rawCall(s.url, 'bookings.create', {
      body: JSON.stringify({ json: { examId, dominantHand: 'Right' } }),
      headers: withCookie({ origin: 'https://evil.example', authorization: `Bearer ${token}` }),
    });
    expect(answer.status).toBe(200);
  });

  it('logging in from anywhere without a cookie is not a cookie-authenticated call', async () => {
    const answer = await rawCall(s.url, 'auth.login', {
      body: loginBody(),
      headers: { origin: 'https://other.example' },
    });
    expect(answer.status).toBe(200);
  });
});
