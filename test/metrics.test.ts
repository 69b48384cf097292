import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { sleep } from '../server/lib/time';
import { insertContact, insertExam, loginClient } from './helpers/factories';
import { DEAD_PORT } from './helpers/redis';
import { useTestService, withTestService } from './helpers/service';

const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

/**
 * The registry's text. A request is recorded on the response's 'finish', which can come a moment
 * after the client (in this same process) already has the answer: let that moment pass first.
 */
async function scrape(url = s.service.metricsUrl): Promise<string> {
  if (!url) throw new Error('the service has no metrics listener');
  await sleep(50);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series (name plus exact label set as Prometheus prints it), 0 when absent. */
function sampleOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/metrics on METRICS_PORT', () => {
  it('is a listener of its own: the API port does not serve it', async () => {
    const metricsPort = new URL(s.service.metricsUrl!).port;
    expect(metricsPort).not.toBe(new URL(s.url).port);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
  });

  it('exposes the named series and the default process metrics', async () => {
    await fetch(`${s.url}/api/health`);
    const text = await scrape();
    for (const name of [
      'mocks_booking_http_requests_total',
      'mocks_booking_http_request_duration_seconds',
      'mocks_booking_booking_outcomes_total',
      'mocks_booking_lock_waits_total',
      'mocks_booking_lock_wait_seconds_total',
      'mocks_booking_busy_total',
      'mocks_booking_local_queue_length',
      'mocks_booking_pg_pool_connections',
      'mocks_booking_redis_up',
      'mocks_booking_secret_reads_total',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(sampleOf(text, 'mocks_booking_http_requests_total{procedure="health",status="200"}')).toBeGreaterThan(0);
    expect(sampleOf(text, 'mocks_booking_redis_up')).toBe(1);
    expect(text).toMatch(/^mocks_booking_pg_pool_connections\{pool="main",state="total"\} [1-9]/m);
    expect(text).toContain('mocks_booking_pg_pool_connections{pool="booking",state="waiting"} 0');
  });

  it('a booking moves the request, outcome and lock counters; a refusal is counted by its app code', async () => {
    const examId = await insertExam(db, { capacity: 1 });
    const students = [];
    for (let i = 0; i < 6; i++) students.push(await loginClient(s.url, await insertContact(db, { cs_credits: 1 })));
    const before = await scrape();
    const results = await Promise.allSettled(
      students.map((api) => api.bookings.create.mutate({ examId, dominantHand: 'Left' })),
    );
    const after = await scrape();
    const delta = (series: string) => sampleOf(after, series) - sampleOf(before, series);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(delta('mocks_booking_booking_outcomes_total{operation="create",outcome="ok"}')).toBe(1);
    expect(delta('mocks_booking_booking_outcomes_total{operation="create",outcome="EXAM_FULL"}')).toBe(5);
    expect(delta('mocks_booking_http_requests_total{procedure="bookings.create",status="200"}')).toBe(1);
    expect(delta('mocks_booking_http_request_duration_seconds_count{procedure="bookings.create",status="200"}')).toBe(
      1,
    );
    // Six calls for one session at once on one instance: all but the first queue for its lock.
    expect(delta('mocks_booking_lock_waits_total')).toBeGreaterThan(0);
    expect(delta('mocks_booking_lock_wait_seconds_total')).toBeGreaterThan(0);
  });

  it('counts a BUSY answer (the session lock held elsewhere past BOOKING_LOCK_WAIT_MS)', async () => {
    await withTestService({ BOOKING_LOCK_WAIT_MS: '300', LOGIN_RATE_LIMIT_PER_IP: '100000' }, async (impatient) => {
      const api = await loginClient(impatient.url, await insertContact(impatient.db, { cs_credits: 1 }));
      const examId = await insertExam(impatient.db);
      const holder = new Redis(inject('redisUrl'), { keyPrefix: impatient.redisPrefix });
      try {
        await holder.set(`lock:${examId}`, 'someone-else', 'PX', 5_000);
        const before = await scrape(impatient.service.metricsUrl);
        await expect(api.bookings.create.mutate({ examId, dominantHand: 'Right' })).rejects.toThrow();
        const after = await scrape(impatient.service.metricsUrl);
        const delta = (series: string) => sampleOf(after, series) - sampleOf(before, series);
        expect(delta('mocks_booking_busy_total')).toBe(1);
        expect(delta('mocks_booking_booking_outcomes_total{operation="create",outcome="BUSY"}')).toBe(1);
        expect(delta('mocks_booking_http_requests_total{procedure="bookings.create",status="429"}')).toBe(1);
        expect(delta('mocks_booking_lock_waits_total')).toBe(1);
      } finally {
        await holder.del(`lock:${examId}`);
        holder.disconnect();
      }
    });
  });

  it('labels only known procedures, so made-up paths cannot grow the series', async () => {
    await fetch(`${s.url}/api/trpc/no.such${Math.random()}`);
    const text = await scrape();
    expect(text).not.toMatch(/procedure="no\.such/);
    expect(sampleOf(text, 'mocks_booking_http_requests_total{procedure="unknown",status="404"}')).toBeGreaterThan(0);
  });

  it('reports Redis down as mocks_booking_redis_up 0', async () => {
    await withTestService({ REDIS_URL: `redis://127.0.0.1:${DEAD_PORT}`, HEALTH_TIMEOUT_MS: '300' }, async (down) => {
      expect(sampleOf(await scrape(down.service.metricsUrl), 'mocks_booking_redis_up')).toBe(0);
    });
  });
});
