import { once } from 'node:events';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../client/src';
import { sleep } from '../server/lib/time';
import { redisKeys } from '../server/redis/keys';
import { waitFor } from './helpers/childServer';
import { detailsFor, insertContact, insertExam, inTurn, loginClient } from './helpers/factories';
import { useTestService } from './helpers/service';

/**
 * LANE_MAX_ACTIVE_CALLS (server/http/laneAdmission.ts): at most that many bookings.create and
 * bookings.mine calls run at once per process, the rest wait their turn in arrival order. The calls
 * are held running by a session lock the test takes in Redis itself, as another instance would.
 */
const s = useTestService({
  LANE_MAX_ACTIVE_CALLS: '2',
  BOOKING_LOCK_WAIT_MS: '20000',
  LOGIN_RATE_LIMIT_PER_IP: '100000',
});
let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { keyPrefix: s.redisPrefix });
});
afterAll(() => redis.quit());

/** Settles to the order in which the promises given to `track` answered. */
function answerOrder() {
  const order: string[] = [];
  return {
    order,
    track<T>(name: string, call: Promise<T>): Promise<T> {
      return call.finally(() => order.push(name));
    },
  };
}

/** One unlabelled series of /metrics, read at scrape time. */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(s.service.metricsUrl!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}
const waitingCalls = () => metric('mocks_booking_lane_waiting_calls');

/** Polls until the series reads `value` (the calls are in flight, not answered), or fails after 5 s. */
const reaches = (name: string, value: number) =>
  waitFor(async () => (await metric(name)) === value, `${name} = ${value}`, 5_000);

describe('the lane runs at most LANE_MAX_ACTIVE_CALLS calls at once', () => {
  it('a third call waits while two run, and every call is answered once they can finish', async () => {
    const examId = await insertExam(s.db, { capacity: 10 });
    const students = await inTurn(4, async (i) => {
      const contact = await insertContact(s.db, { cs_credits: 2 });
      return { name: 'ABCD'[i]!, client: await loginClient(s.url, contact) };
    });
    const [a, b, c, d] = students as [
      (typeof students)[0],
      (typeof students)[0],
      (typeof students)[0],
      (typeof students)[0],
    ];
    // The session's lock, held as another instance holding it would.
    await redis.set(redisKeys.examLock(examId), 'another-instance', 'PX', 30_000);
    const { order, track } = answerOrder();
    const book = (student: typeof a) =>
      track(student.name, student.client.bookings.create.mutate({ ...detailsFor('Clinical Skills'), examId }));

    const first = book(a);
    // One call running: a read still has a turn, and answers while the booking waits for the lock.
    await expect(c.client.bookings.mine.query()).resolves.toBeDefined();
    expect(order).toEqual([]);

    const second = book(b);
    // Both bookings running: queued on this instance behind the held lock.
    await reaches('mocks_booking_local_queue_length', 2);
    // Two running (both waiting for the lock): the next calls wait for a turn, in arrival order.
    const readC = track('C mine', c.client.bookings.mine.query());
    await reaches('mocks_booking_lane_waiting_calls', 1);
    const readD = track('D mine', d.client.bookings.mine.query());
    await reaches('mocks_booking_lane_waiting_calls', 2);
    await sleep(300);
    expect(order, 'nothing answered while the lock is held').toEqual([]);

    await redis.del(redisKeys.examLock(examId));
    const answers = await Promise.allSettled([first, second, readC, readD]);
    expect(answers.map((x) => (x.status === 'fulfilled' ? 'answered' : String(x.reason)))).toEqual([
      'answered',
      'answered',
      'answered',
      'answered',
    ]);
    // The reads had their turns only as the bookings ended, C's before D's.
    expect(order.indexOf('C mine')).toBeLessThan(order.indexOf('D mine'));
    expect(order[0], 'the first answer is the booking first in line for the lock').toBe('A');
    expect(await waitingCalls()).toBe(0);
    const booked = await s.db.query('select count(*)::int as n from hubspot_bookings where associated_mock_exam = $1', [
      examId,
    ]);
    expect(booked.rows[0].n).toBe(2);
  });

  it('a caller gone before its turn is not served, and gives the turn back', async () => {
    const examId = await insertExam(s.db, { capacity: 10 });
    const [a, b, c] = await inTurn(3, async () => loginClient(s.url, await insertContact(s.db, { cs_credits: 2 })));
    const leaver = await insertContact(s.db, { cs_credits: 2 });
    const { token } = await createClient({ url: `${s.url}/api/trpc` }).auth.login.mutate({
      studentId: leaver.studentId,
      email: leaver.email,
    });
    await redis.set(redisKeys.examLock(examId), 'another-instance', 'PX', 30_000);
    const bookings = [a!, b!].map((api) => api.bookings.create.mutate({ ...detailsFor('Clinical Skills'), examId }));
    await reaches('mocks_booking_local_queue_length', 2);

    // While both turns are taken: two callers send half a body and go away, a third sends a whole
    // booking and goes away too.
    const body = JSON.stringify({ json: { ...detailsFor('Clinical Skills'), examId } });
    const requests = [
      `Content-Length: 100\r\n\r\n{"json":`,
      `Content-Length: 100\r\n\r\n{"json":`,
      `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ];
    const { port } = new URL(s.url);
    for (const [i, rest] of requests.entries()) {
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`POST /api/trpc/bookings.create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${rest}`);
      await reaches('mocks_booking_lane_waiting_calls', i + 1);
      socket.destroy();
    }
    await redis.del(redisKeys.examLock(examId));
    await Promise.all(bookings);
    // Their turns came and went: a later caller is answered, and the one who left booked nothing.
    await expect(c!.bookings.mine.query()).resolves.toBeDefined();
    expect(await waitingCalls()).toBe(0);
    const booked = await s.db.query(
      'select associated_contact_id as who from hubspot_bookings where associated_mock_exam = $1',
      [examId],
    );
    expect(booked.rows).toHaveLength(2);
    expect(booked.rows.map((r) => r.who)).not.toContain(leaver.contactId);

    // Both turns are free again: two calls run at once (a turn kept by a caller who left would
    // leave one of these waiting).
    const next = await insertExam(s.db, { capacity: 10, startsInHours: 24 * 30 });
    await redis.set(redisKeys.examLock(next), 'another-instance', 'PX', 30_000);
    const more = [a!, b!].map((api) => api.bookings.create.mutate({ ...detailsFor('Clinical Skills'), examId: next }));
    await reaches('mocks_booking_local_queue_length', 2);
    await redis.del(redisKeys.examLock(next));
    await Promise.all(more);
  });
});
