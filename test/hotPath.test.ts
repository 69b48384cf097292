import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { issueSessionToken, verifySessionToken } from '../server/auth/session';
import { loadConfig } from '../server/config';
import { insertContact, insertExam } from './helpers/factories';
import { useTestService } from './helpers/service';

const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

/** A raw HTTP exchange, so the test sees the wire's headers as a browser gets them. */
function send(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'] }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('compression (issue 13: none for small bodies)', () => {
  it('a booking answer (a POST) is sent uncompressed even to a client that accepts gzip', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const examId = await insertExam(db, {});
    const login = await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    const answer = await send(`${s.url}/api/trpc/bookings.create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'accept-encoding': 'gzip, deflate, br',
        authorization: `Bearer ${login.token}`,
      },
      body: JSON.stringify({ json: { examId, dominantHand: 'Right' } }),
    });
    expect(answer).toEqual({ status: 200, encoding: undefined });
  });

  it('a session listing (a GET, ~75 KB for 200 sessions) is still compressed', async () => {
    for (let i = 0; i < 30; i++) await insertExam(db, {});
    const answer = await send(`${s.url}/api/trpc/exams.available`, {
      method: 'GET',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(answer.status).toBe(200);
    expect(answer.encoding).toMatch(/^(gzip|br)$/);
  });
});

describe('verified session tokens are remembered, never past their expiry', () => {
  it('a token verified once is refused once it expires', async () => {
    const config = loadConfig({ SESSION_SECRET: 'x'.repeat(40) });
    const session = { contactId: 'c-1', studentId: 'S1', email: 's1@example.com', name: 'S One' };
    // Issued so that it expires ~1.5 s from now (JWT times are whole seconds).
    const issuedAt = new Date(Date.now() - config.session.ttlMs + 1_500);
    const { token } = await issueSessionToken(session, config.session, issuedAt);
    expect((await verifySessionToken(token, config.session))?.user).toEqual(session);
    expect((await verifySessionToken(token, config.session))?.user).toEqual(session);
    await new Promise((r) => setTimeout(r, 2_600));
    expect(await verifySessionToken(token, config.session)).toBeUndefined();
  });

  it('a token verified under one secret is refused under another', async () => {
    const first = loadConfig({ SESSION_SECRET: 'a'.repeat(40) });
    const second = loadConfig({ SESSION_SECRET: 'b'.repeat(40) });
    const { token } = await issueSessionToken(
      { contactId: 'c-2', studentId: 'S2', email: 's2@example.com', name: 'S Two' },
      first.session,
    );
    expect(await verifySessionToken(token, first.session)).toBeDefined();
    expect(await verifySessionToken(token, second.session)).toBeUndefined();
    expect(await verifySessionToken(token, first.session)).toBeDefined();
  });
});

describe('exams.available from its cache of finished answers (issue 13)', () => {
  const get = (headers: Record<string, string> = {}) =>
    fetch(`${s.url}/api/trpc/exams.available`, { headers }).then(async (res) => ({
      status: res.status,
      etag: res.headers.get('etag'),
      text: await res.text(),
    }));

  it('answers as tRPC does, 304 for an unchanged listing, and a new answer after a booking or any edit of a row', async () => {
    const examId = await insertExam(db, { capacity: 5 });
    const first = await get();
    expect(first.status).toBe(200);
    const listed = await s.client.exams.available.query();
    const mine = listed.find((e) => e.examId === examId);
    expect(mine).toMatchObject({ capacity: 5, totalBookings: 0, availableSlots: 5, status: 'available' });
    expect(mine?.startTime).toBeInstanceOf(Date);

    expect(await get({ 'if-none-match': first.etag! })).toMatchObject({ status: 304, etag: first.etag });

    // A booking through the service: a new answer with the seat taken, at once.
    const contact = await insertContact(db, { cs_credits: 1 });
    const login = await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    await send(`${s.url}/api/trpc/bookings.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
      body: JSON.stringify({ json: { examId, dominantHand: 'Right' } }),
    });
    const afterBooking = await get({ 'if-none-match': first.etag! });
    expect(afterBooking.status).toBe(200);
    expect(afterBooking.etag).not.toBe(first.etag);
    expect((await s.client.exams.available.query()).find((e) => e.examId === examId)).toMatchObject({
      totalBookings: 1,
      availableSlots: 4,
    });

    // An edit behind the service's back (an admin, a HubSpot pull, SQL): the next answer shows it.
    await db.query(`update hubspot_mock_exams set location = 'Calgary' where hubspot_id = $1`, [examId]);
    const afterEdit = await get({ 'if-none-match': afterBooking.etag! });
    expect(afterEdit.status).toBe(200);
    expect((await s.client.exams.available.query()).find((e) => e.examId === examId)?.location).toBe('Calgary');
  });

  it('leaves a bad input to tRPC, which refuses it as before', async () => {
    const res = await fetch(`${s.url}/api/trpc/exams.available?input=${encodeURIComponent('{"json":{"limit":0}}')}`);
    expect(res.status).toBe(400);
  });
});
