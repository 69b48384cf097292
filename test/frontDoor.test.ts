import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sleep } from '../server/lib/time';
import { insertExam } from './helpers/factories';
import { useTestService } from './helpers/service';

/**
 * The session listing's cached answers are served in front of Express (server/http/frontDoor.ts,
 * issue 13). What they skip is Express; what every answer carries must still be there, the same as
 * on an answer Express gave.
 */

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const FRONTEND = 'https://app.example.school';
const s = useTestService({ FRONTEND_URL: FRONTEND }, { logger: pino({ level: 'info' }, sink) });

const LISTING = '/api/trpc/exams.available';
/** A call the cache leaves to tRPC (limit 0 is refused by the input's schema): answered through Express. */
const THROUGH_EXPRESS = `${LISTING}?input=${encodeURIComponent('{"json":{"limit":0}}')}`;

/** Headers every answer carries whoever serves it: helmet's and CORS's. */
const COMMON = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'access-control-allow-origin',
  'access-control-allow-credentials',
];

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${s.url}${path}`, { headers: { origin: FRONTEND, ...headers } });

describe('the front door (cached listings served in front of Express)', () => {
  it('sends the same security and CORS headers as an answer through Express', async () => {
    await insertExam(s.db);
    const fast = await get(LISTING);
    const viaExpress = await get(THROUGH_EXPRESS);
    expect(fast.status).toBe(200);
    expect(viaExpress.status).toBe(400);
    for (const name of COMMON) {
      expect(viaExpress.headers.get(name), name).not.toBeNull();
      expect(fast.headers.get(name), name).toBe(viaExpress.headers.get(name));
    }
    expect(fast.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    // A shared cache must key on both: the origin (CORS) and the encoding (gzip or not).
    expect(fast.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(fast.headers.get('vary')).toMatch(/\bAccept-Encoding\b/);
    const plain = await get(LISTING, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('content-length')).toBe(String((await plain.arrayBuffer()).byteLength));
  });

  it('echoes a sane request id, and logs the request as pino-http does for Express answers', async () => {
    lines.length = 0;
    const fast = await get(LISTING, { 'x-request-id': 'alb-trace-1' });
    const viaExpress = await get(THROUGH_EXPRESS, { 'x-request-id': 'alb-trace-2' });
    expect(fast.headers.get('x-request-id')).toBe('alb-trace-1');
    expect(viaExpress.headers.get('x-request-id')).toBe('alb-trace-2');
    await sleep(50);
    const logged = (id: string) => {
      const line = lines.find((l) => l.includes(`"id":"${id}"`));
      expect(line, lines.join('\n')).toBeDefined();
      return JSON.parse(line!) as Record<string, unknown>;
    };
    const fastLine = logged('alb-trace-1');
    const expressLine = logged('alb-trace-2');
    expect(fastLine).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'alb-trace-1', method: 'GET', url: LISTING },
      res: { statusCode: 200 },
    });
    expect(Object.keys(fastLine).sort()).toEqual(Object.keys(expressLine).sort());
    expect(Object.keys(fastLine.req as object).sort()).toEqual(Object.keys(expressLine.req as object).sort());
    expect(typeof fastLine.responseTime).toBe('number');
  });

  it('counts its answers in the request metrics, 200 and 304 alike', async () => {
    const series = (status: number) =>
      `mocks_booking_http_requests_total{procedure="exams.available",status="${status}"}`;
    const scrape = async () => {
      await sleep(50);
      const text = await (await fetch(s.service.metricsUrl!)).text();
      return (name: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${name} `))
            ?.split(' ')[1] ?? 0,
        );
    };
    const was = await scrape();
    const first = await get(LISTING);
    await first.arrayBuffer();
    expect((await get(LISTING, { 'if-none-match': first.headers.get('etag')! })).status).toBe(304);
    const now = await scrape();
    expect(now(series(200)) - was(series(200))).toBe(1);
    expect(now(series(304)) - was(series(304))).toBe(1);
  });

  it('leaves everything else to Express: other paths, other methods, a batch of two', async () => {
    expect((await get('/api/health')).status).toBe(200);
    // tRPC's refusal of a query sent as a POST, not a listing.
    const post = await fetch(`${s.url}${LISTING}`, { method: 'POST' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(await post.json()).toHaveProperty('error');
    const batch = await get(`/api/trpc/exams.available,exams.available?batch=1&input=${encodeURIComponent('{}')}`);
    expect(batch.status).toBe(200);
    expect(((await batch.json()) as unknown[]).length).toBe(2);
  });
});
