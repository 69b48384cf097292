import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sleep } from '../server/lib/time';
import { insertBookingRow, insertContact, insertExam, loginClient, type TestContact } from './helpers/factories';
import { type RawAnswer, rawCall } from './helpers/rawHttp';
import { useTestService } from './helpers/service';

/**
 * bookings.create and bookings.mine are answered by the procedure lane (server/http/procedureLane.ts,
 * issue 13) instead of tRPC's HTTP adapter. Each case here is sent twice: once as the lane takes it, once with a header that
 * sends it on to tRPC (`trpc-accept: application/json`, which changes nothing else in tRPC), and the
 * two answers must agree. The lane answers with a Content-Length and tRPC's adapter streams its
 * answers (chunked), which is how the test knows which of the two answered.
 */

const FRONTEND = 'https://app.example.school';
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const s = useTestService(
  { FRONTEND_URL: FRONTEND, LOGIN_RATE_LIMIT_PER_IP: '100000' },
  { logger: pino({ level: 'info' }, sink) },
);
const { db } = s;

const VIA_TRPC = { 'trpc-accept': 'application/json' };

/** Headers both paths must send alike (dates and request ids aside). */
const COMPARED = [
  'content-type',
  'vary',
  'retry-after',
  'cache-control',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
];

async function both(
  send: (headers: Record<string, string>) => Promise<RawAnswer>,
): Promise<{ lane: RawAnswer; trpc: RawAnswer }> {
  const lane = await send({});
  const trpc = await send(VIA_TRPC);
  expect(lane.headers.get('content-length'), 'the lane answered').not.toBeNull();
  expect(trpc.headers.get('content-length'), "tRPC's adapter answered").toBeNull();
  return { lane, trpc };
}

function expectSameAnswer({ lane, trpc }: { lane: RawAnswer; trpc: RawAnswer }, what = '') {
  expect(lane.status, what).toBe(trpc.status);
  expect(lane.body, what).toEqual(trpc.body);
  for (const name of COMPARED) expect(lane.headers.get(name), `${what} ${name}`).toBe(trpc.headers.get(name));
}

/** The Authorization header of a fresh login of this student. */
async function bearerOf(contact: TestContact): Promise<Record<string, string>> {
  const { token } = await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
  return { authorization: `Bearer ${token}` };
}

const post = (path: string, body: string, headers: Record<string, string>) =>
  rawCall(s.url, path, { body, headers: { origin: FRONTEND, ...headers } });

describe('the procedure lane answers bookings.create as tRPC does', () => {
  it('refusals: no login, bad JSON, no envelope, a bad field, an unknown session, a batch body that is not an object', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const auth = await bearerOf(contact);
    const cases: Array<[string, string, Record<string, string>]> = [
      ['bookings.create', '{"json":{"examId":"x"}}', {}],
      ['bookings.create', '{"json":', auth],
      ['bookings.create', '', auth],
      ['bookings.create', '{"examId":"x"}', auth],
      ['bookings.create', '{"json":{"examId":""}}', auth],
      ['bookings.create', '{"json":{"examId":"no-such-session","dominantHand":"Left"}}', auth],
      ['bookings.create?batch=1', '[1]', auth],
      ['bookings.create?batch=1', '{"0":{"json":{"examId":"no-such-session","dominantHand":"Left"}}}', auth],
      ['bookings.create?batch=1', '{}', auth],
      // Read as fetch's Request.json() reads it: a leading BOM is dropped, the media type is case-blind.
      ['bookings.create', '\uFEFF{"json":{"examId":"no-such-session","dominantHand":"Left"}}', auth],
      ['bookings.create', '{"json":{"examId":""}}', { ...auth, 'content-type': 'Application/JSON; charset=utf-8' }],
    ];
    // Any query but the client's own `batch=1` is left to tRPC (here it reads "batch" as "1?x": no batch).
    const odd = await post('bookings.create?batch=1?x', '{"json":{"examId":"x","dominantHand":"Left"}}', auth);
    expect(odd.headers.get('content-length'), 'tRPC answered').toBeNull();
    expect(odd.status).toBe(404);
    for (const [path, body, headers] of cases) {
      const answers = await both((h) => post(path, body, { ...headers, ...h }));
      expect(answers.lane.status, `${path} ${body}`).toBeGreaterThanOrEqual(400);
      expectSameAnswer(answers, `${path} ${body}`);
    }
  });

  it('a booking, then the same booking again (DUPLICATE_BOOKING), plain and as the typed client batches it', async () => {
    const contact = await insertContact(db, { cs_credits: 2 });
    const auth = await bearerOf(contact);
    const viaLane = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 10 });
    const viaTrpc = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 13 });

    const booked = {
      lane: await post('bookings.create?batch=1', `{"0":{"json":{"examId":"${viaLane}","dominantHand":"Left"}}}`, auth),
      trpc: await post('bookings.create?batch=1', `{"0":{"json":{"examId":"${viaTrpc}","dominantHand":"Left"}}}`, {
        ...auth,
        ...VIA_TRPC,
      }),
    };
    expect(booked.lane.status).toBe(200);
    expect(booked.lane.headers.get('content-length')).not.toBeNull();
    expect(booked.trpc.status).toBe(200);
    const resultOf = (a: RawAnswer) => (a.body as Array<{ result: { data: { json: Record<string, unknown> } } }>)[0]!;
    // Different sessions, so different values: the same shape, fields and superjson annotations.
    expect(Object.keys(resultOf(booked.lane).result.data.json).sort()).toEqual(
      Object.keys(resultOf(booked.trpc).result.data.json).sort(),
    );
    expect((resultOf(booked.lane).result.data as { meta?: unknown }).meta).toEqual(
      (resultOf(booked.trpc).result.data as { meta?: unknown }).meta,
    );
    expect(resultOf(booked.lane).result.data.json.examId).toBe(viaLane);

    for (const path of ['bookings.create', 'bookings.create?batch=1']) {
      const input = `{"json":{"examId":"${viaLane}","dominantHand":"Left"}}`;
      const answers = await both((h) =>
        post(path, path.endsWith('batch=1') ? `{"0":${input}}` : input, { ...auth, ...h }),
      );
      expect(JSON.stringify(answers.lane.body)).toContain('DUPLICATE_BOOKING');
      expectSameAnswer(answers);
    }
  });

  it('a session cookie sent from another site is refused the same way', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const login = await rawCall(s.url, 'auth.login', {
      body: JSON.stringify({ json: { studentId: contact.studentId, email: contact.email } }),
      headers: { origin: FRONTEND },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const answers = await both((h) =>
      rawCall(s.url, 'bookings.create', {
        body: '{"json":{"examId":"x","dominantHand":"Left"}}',
        headers: { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', ...h },
      }),
    );
    expect(answers.lane.status).toBe(403);
    expectSameAnswer(answers);
  });

  it('a client that leaves mid-body gets nothing, and the next caller is answered', async () => {
    const { port } = new URL(s.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /api/trpc/bookings.create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"json":',
    );
    await sleep(50);
    lines.length = 0;
    socket.destroy();
    const answers = await both((h) => post('bookings.create', '{"json":{"examId":"x"}}', h));
    expect(answers.lane.status).toBe(401);
    await sleep(50);
    // No error for the one who left: nothing was answered, nothing went wrong on our side.
    const errorsLogged = lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    expect(errorsLogged).toEqual([]);
  });

  it('the typed client books through the lane', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const api = await loginClient(s.url, contact);
    const examId = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 16 });
    const booking = await api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    expect(booking.examId).toBe(examId);
    expect(booking.startTime).toBeInstanceOf(Date);
  });
});

/** A GET of a query, with its `input` parameter (if any) sent as the typed client sends it. */
const get = (path: string, query: Record<string, string>, headers: Record<string, string>) =>
  rawCall(s.url, path, { query, headers: { origin: FRONTEND, ...headers } });
/** Neither path compresses, so the two answers can be compared header for header. */
const IDENTITY = { 'accept-encoding': 'identity' };

describe('the procedure lane answers bookings.mine as tRPC does', () => {
  it('no login, bad JSON, bad fields, a batch input that is not an object; answers plain and batched, and to a cross-site cookie', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const auth = { ...(await bearerOf(contact)), ...IDENTITY };
    const examId = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 20 });
    await insertBookingRow(db, contact.contactId, examId);
    const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['bookings.mine', {}, IDENTITY],
      ['bookings.mine', { input: '{"json":' }, auth],
      ['bookings.mine', { input: '{"json":{"filter":"someday"}}' }, auth],
      ['bookings.mine', { input: '{"json":{"cursor":"not-ours"}}' }, auth],
      ['bookings.mine', { batch: '1', input: '[1]' }, auth],
      ['bookings.mine', { batch: '1', input: '{"0":{"json":{"limit":0}}}' }, auth],
    ];
    for (const [path, query, headers] of cases) {
      const answers = await both((h) => get(path, query, { ...headers, ...h }));
      expect(answers.lane.status, `${path} ${JSON.stringify(query)}`).toBeGreaterThanOrEqual(400);
      expectSameAnswer(answers, `${path} ${JSON.stringify(query)}`);
    }

    const answered: Array<[string, Record<string, string>]> = [
      ['bookings.mine', {}],
      ['bookings.mine', { input: '{"json":{"filter":"upcoming","limit":5}}' }],
      ['bookings.mine', { batch: '1' }],
      ['bookings.mine', { batch: '1', input: '{"0":{"json":{"filter":"all"}}}' }],
      ['bookings.mine', { batch: '1', input: '{"0":{"json":{"filter":"cancelled"}}}' }],
    ];
    for (const [path, query] of answered) {
      const answers = await both((h) => get(path, query, { ...auth, ...h }));
      expect(answers.lane.status, `${path} ${JSON.stringify(query)}`).toBe(200);
      expectSameAnswer(answers, `${path} ${JSON.stringify(query)}`);
    }
    const mine = await get('bookings.mine', {}, auth);
    expect(JSON.stringify(mine.body)).toContain(examId);

    const login = await rawCall(s.url, 'auth.login', {
      body: JSON.stringify({ json: { studentId: contact.studentId, email: contact.email } }),
      headers: { origin: FRONTEND },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const crossSite = await both((h) =>
      get(
        'bookings.mine',
        {},
        { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', ...IDENTITY, ...h },
      ),
    );
    // A read: the cross-site guard is for mutations (CORS keeps another site from reading the answer).
    expect(crossSite.lane.status).toBe(200);
    expectSameAnswer(crossSite);
  });

  it('leaves to tRPC what it does not take: other parameters, a body, a mutation by GET, a query by POST', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const auth = { ...(await bearerOf(contact)), ...IDENTITY };
    const viaTrpc = [
      await get('bookings.mine', { batch: '1', input: '{}', x: '1' }, auth),
      await get('bookings.mine', { batch: '2' }, auth),
      await get('bookings.mine,bookings.mine', { batch: '1' }, auth),
      await get('bookings.create', { input: '{"json":{"examId":"x"}}' }, auth),
      await post('bookings.mine', '{"json":{}}', auth),
    ];
    for (const answer of viaTrpc) expect(answer.headers.get('content-length'), 'tRPC answered').toBeNull();
    expect(viaTrpc[0]!.status).toBe(200);
    expect(viaTrpc[3]!.status).toBe(405);
    expect(viaTrpc[4]!.status).toBe(405);
  });

  it('compresses a large answer for a client that accepts gzip, and leaves a small one alone', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const bearer = await bearerOf(contact);
    const gzip = { ...bearer, 'accept-encoding': 'gzip' };
    const small = await get('bookings.mine', {}, gzip);
    expect(small.status).toBe(200);
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(Number(small.headers.get('content-length'))).toBeLessThan(1024);
    for (let i = 0; i < 6; i++) {
      const examId = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * (30 + i) });
      await insertBookingRow(db, contact.contactId, examId);
    }
    const large = await get('bookings.mine', {}, gzip);
    expect(large.status).toBe(200);
    expect(large.headers.get('content-encoding')).toBe('gzip');
    expect((large.body as { result: { data: { json: { items: unknown[] } } } }).result.data.json.items).toHaveLength(6);
    const plain = await get('bookings.mine', {}, { ...bearer, ...IDENTITY });
    expect(Number(plain.headers.get('content-length'))).toBeGreaterThan(1024);
    expect(plain.body).toEqual(large.body);
  });

  it('the typed client reads its bookings through the lane', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const api = await loginClient(s.url, contact);
    const examId = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 40 });
    await api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    const mine = await api.bookings.mine.query({ filter: 'upcoming' });
    expect(mine.items.map((b) => b.examId)).toEqual([examId]);
    expect(mine.items[0]!.startTime).toBeInstanceOf(Date);
    expect(mine.counts.upcoming).toBe(1);
  });
});
