import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sleep } from '../server/lib/time';
import { insertContact, insertExam, loginClient, type TestContact } from './helpers/factories';
import { type RawAnswer, rawCall } from './helpers/rawHttp';
import { useTestService } from './helpers/service';

/**
 * bookings.create is answered by the mutation lane (server/http/mutationLane.ts, issue 13) instead of
 * tRPC's HTTP adapter. Each case here is sent twice: once as the lane takes it, once with a header that
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

describe('the mutation lane answers bookings.create as tRPC does', () => {
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
