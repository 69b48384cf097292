import { describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import { repairSessionCount, sessionsWithCountDrift } from '../db/queries/reconcile';
import { loadConfig } from '../server/config';
import { sweepWaitlists } from '../server/jobs/waitlistSweep';
import { createLogger } from '../server/logger';
import {
  balancesOf,
  examCounts,
  insertBookingRow,
  insertContact,
  insertExam,
  inTurn,
  loginClient,
} from './helpers/factories';
import { failure } from './helpers/failure';
import { createSharedResources, startTestService, useTestService, withTestService } from './helpers/service';

// The waitlist (issue 12, docs/DOMAIN.md "Waitlist") over HTTP through the published client.
const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000', WAITLIST_HOLD_MINUTES: '30' });
const { db } = s;

type Credits = Parameters<typeof insertContact>[1];

async function student(credits: Credits = { cs_credits: 1 }) {
  const contact = await insertContact(db, credits);
  return { contact, api: await loginClient(s.url, contact) };
}

/** A Clinical Skills session of `capacity` seats, all taken by other students' bookings made over the API. */
async function fullSession(capacity = 1, startsInHours?: number) {
  const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity, startsInHours });
  const holders: Array<{ api: Client; bookingId: string }> = [];
  for (let i = 0; i < capacity; i++) {
    const { api } = await student();
    const { bookingId } = await api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    holders.push({ api, bookingId });
  }
  return { examId, holders };
}

const entries = async (examId: string) =>
  (
    await db.query(
      'select associated_contact_id, status, booking_id, offer_expires_at from waitlist_entries where associated_mock_exam = $1 order by queue_order',
      [examId],
    )
  ).rows as Array<{ associated_contact_id: string; status: string; booking_id: string | null; offer_expires_at: Date }>;

const activeBookingOf = async (examId: string, contactId: string) =>
  (
    await db.query(
      `select id, token_used, dominant_hand from hubspot_bookings where associated_mock_exam = $1 and associated_contact_id = $2 and is_active = 'Active'`,
      [examId, contactId],
    )
  ).rows[0] as { id: string; token_used: string; dominant_hand: string } | undefined;

describe('waitlist.join / mine / leave', () => {
  it('a session with a free seat is booked, not queued for: WAITLIST_NOT_NEEDED', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity: 2 });
    const { api } = await student();
    expect(await failure(api.waitlist.join.mutate({ examId, dominantHand: 'Left' }))).toMatchObject({
      appCode: 'WAITLIST_NOT_NEEDED',
      httpStatus: 409,
      details: { availableSlots: 2 },
    });
  });

  it('queues students in order, spends nothing, shows positions; a second join is refused', async () => {
    const { examId } = await fullSession();
    const first = await student({ cs_credits: 2 });
    const second = await student();
    const joined = await first.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    expect(joined).toEqual({
      entryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      examId,
      status: 'waiting',
      autoBook: true,
      position: 1,
    });
    expect((await second.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false })).position).toBe(
      2,
    );
    expect(await balancesOf(db, first.contact.contactId)).toMatchObject({ cs_credits: 2 });

    expect(await failure(first.api.waitlist.join.mutate({ examId, dominantHand: 'Left' }))).toMatchObject({
      appCode: 'WAITLIST_ALREADY_JOINED',
      httpStatus: 409,
      details: { entryId: joined.entryId, position: 1 },
    });
    const [mine] = await second.api.waitlist.mine.query();
    expect(mine).toMatchObject({
      examId,
      status: 'waiting',
      position: 2,
      autoBook: false,
      mockType: 'Clinical Skills',
    });
    expect(await entries(examId)).toHaveLength(2);
  });

  it('join needs a usable credit and the details the type needs, as a booking would', async () => {
    const { examId } = await fullSession();
    const broke = await student({ sj_credits: 3 });
    expect(await failure(broke.api.waitlist.join.mutate({ examId, dominantHand: 'Left' }))).toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
    });
    const { api } = await student();
    expect(await failure(api.waitlist.join.mutate({ examId }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      details: { field: 'dominantHand' },
    });
    expect(await entries(examId)).toHaveLength(0);
  });

  it('a student already booked on the session, or a session past its booking cutoff, cannot join', async () => {
    const { examId, holders } = await fullSession();
    expect(await failure(holders[0]!.api.waitlist.join.mutate({ examId, dominantHand: 'Right' }))).toMatchObject({
      appCode: 'DUPLICATE_BOOKING',
    });
    await withTestService({ BOOKING_CUTOFF_HOURS: '24', LOGIN_RATE_LIMIT_PER_IP: '100000' }, async (other) => {
      const late = await insertContact(other.db, { cs_credits: 1 });
      const lateExam = await insertExam(other.db, { mockType: 'Clinical Skills', capacity: 0, startsInHours: 2 });
      const api = await loginClient(other.url, late);
      expect(await failure(api.waitlist.join.mutate({ examId: lateExam, dominantHand: 'Right' }))).toMatchObject({
        appCode: 'EXAM_NOT_BOOKABLE',
        details: { reason: 'cutoff' },
      });
    });
  });

  it('joins, leaves and claims count against the per-student booking budget', async () => {
    await withTestService({ BOOKING_RATE_LIMIT_PER_STUDENT: '3', LOGIN_RATE_LIMIT_PER_IP: '100000' }, async (other) => {
      const examId = await insertExam(other.db, { mockType: 'Clinical Skills', capacity: 0 });
      const api = await loginClient(other.url, await insertContact(other.db, { cs_credits: 1 }));
      await api.waitlist.join.mutate({ examId, dominantHand: 'Right' });
      await api.waitlist.leave.mutate({ examId });
      await api.waitlist.join.mutate({ examId, dominantHand: 'Right' });
      expect(await failure(api.waitlist.claim.mutate({ examId }))).toMatchObject({ appCode: 'RATE_LIMITED' });
      expect(await failure(api.bookings.create.mutate({ examId, dominantHand: 'Right' }))).toMatchObject({
        appCode: 'RATE_LIMITED',
      });
    });
  });

  it('leave takes the student out of line; the next moves up; a second leave finds nothing', async () => {
    const { examId } = await fullSession();
    const first = await student();
    const second = await student();
    await first.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    await second.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    expect(await first.api.waitlist.leave.mutate({ examId })).toMatchObject({ examId, status: 'left' });
    expect(await first.api.waitlist.mine.query()).toEqual([]);
    expect((await second.api.waitlist.mine.query())[0]).toMatchObject({ position: 1 });
    expect(await failure(first.api.waitlist.leave.mutate({ examId }))).toMatchObject({
      appCode: 'WAITLIST_ENTRY_NOT_FOUND',
      httpStatus: 404,
    });
  });
});

describe('promotion when a seat frees', () => {
  it("a student's cancellation books the first in line in the same transaction; an outsider finds it full", async () => {
    const { examId, holders } = await fullSession();
    const queued = await student({ cs_credits: 1, shared_mock_credits: 1 });
    await queued.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });

    const booking = await activeBookingOf(examId, queued.contact.contactId);
    expect(booking).toMatchObject({ token_used: 'Clinical Skills Token', dominant_hand: 'Left' });
    expect(await balancesOf(db, queued.contact.contactId)).toMatchObject({ cs_credits: 0, shared_mock_credits: 1 });
    expect(await entries(examId)).toEqual([expect.objectContaining({ status: 'booked', booking_id: booking!.id })]);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    const mine = await queued.api.bookings.mine.query({ filter: 'upcoming' });
    expect(mine.items.map((b) => b.bookingId)).toEqual([booking!.id]);

    const outsider = await student();
    expect(await failure(outsider.api.bookings.create.mutate({ examId, dominantHand: 'Right' }))).toMatchObject({
      appCode: 'EXAM_FULL',
    });
  });

  it('a first student who fails a rule is skipped and stays in line; the next gets the seat', async () => {
    const { examId, holders } = await fullSession();
    const first = await student();
    const second = await student();
    await first.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    await second.api.waitlist.join.mutate({ examId, dominantHand: 'Left' });
    // The first spends their only credit elsewhere while waiting.
    await first.api.bookings.create.mutate({ examId: await insertExam(db), dominantHand: 'Left' });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });

    expect(await activeBookingOf(examId, first.contact.contactId)).toBeUndefined();
    expect(await activeBookingOf(examId, second.contact.contactId)).toBeDefined();
    expect((await first.api.waitlist.mine.query())[0]).toMatchObject({ examId, status: 'waiting', position: 1 });
    expect(await balancesOf(db, first.contact.contactId)).toMatchObject({ cs_credits: 0 });
  });

  it('without auto-book the seat is held: it counts as taken, only the holder can claim it, credit spent at claim', async () => {
    const { examId, holders } = await fullSession();
    const holder = await student();
    await holder.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false });
    const waiting = await student();
    await waiting.api.waitlist.join.mutate({ examId, dominantHand: 'Right' });
    expect(await failure(waiting.api.waitlist.claim.mutate({ examId }))).toMatchObject({
      appCode: 'WAITLIST_NO_OFFER',
      details: { position: 2 },
    });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });

    const [mine] = await holder.api.waitlist.mine.query();
    expect(mine).toMatchObject({ status: 'offered', position: 0, offerExpiresAt: expect.any(Date) });
    const minutes = (mine!.offerExpiresAt!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(await balancesOf(db, holder.contact.contactId)).toMatchObject({ cs_credits: 1 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 0 });
    const outsider = await student();
    expect(await failure(outsider.api.bookings.create.mutate({ examId, dominantHand: 'Right' }))).toMatchObject({
      appCode: 'EXAM_FULL',
    });

    const booked = await holder.api.waitlist.claim.mutate({ examId });
    expect(booked).toMatchObject({ examId, tokenUsed: 'Clinical Skills Token', creditsRemaining: 0 });
    expect(await balancesOf(db, holder.contact.contactId)).toMatchObject({ cs_credits: 0 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    expect(await failure(holder.api.waitlist.claim.mutate({ examId }))).toMatchObject({
      appCode: 'WAITLIST_ENTRY_NOT_FOUND',
    });
    expect((await waiting.api.waitlist.mine.query())[0]).toMatchObject({ status: 'waiting', position: 1 });
  });

  it("the hourly reconciliation counts a held seat as taken: it is not drift to 'repair'", async () => {
    const { examId, holders } = await fullSession();
    const holder = await student();
    await holder.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });
    const { db: drizzle } = s.service.database;
    expect(await sessionsWithCountDrift(drizzle)).not.toContain(examId);
    expect(await drizzle.transaction((tx) => repairSessionCount(tx, examId))).toBeUndefined();
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 0 });
  });

  it('a hold never outlasts the session start (nor the booking cutoff before it)', async () => {
    const { examId, holders } = await fullSession(1, 0.1);
    const holder = await student();
    await holder.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });
    const { rows } = await db.query('select start_time from hubspot_mock_exams where hubspot_id = $1', [examId]);
    const [mine] = await holder.api.waitlist.mine.query();
    expect(mine?.offerExpiresAt?.getTime()).toBe((rows[0].start_time as Date).getTime());
  });

  it('leaving with a held seat passes it to the next in line at once', async () => {
    const { examId, holders } = await fullSession();
    const holder = await student();
    const next = await student();
    await holder.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false });
    await next.api.waitlist.join.mutate({ examId, dominantHand: 'Right' });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });
    await holder.api.waitlist.leave.mutate({ examId });
    expect(await activeBookingOf(examId, next.contact.contactId)).toBeDefined();
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
  });
});

describe('holds that run out', () => {
  const expireHolds = (examId: string) =>
    db.query(
      `update waitlist_entries set offer_expires_at = now() - interval '1 second' where associated_mock_exam = $1 and status = 'offered'`,
      [examId],
    );

  /** A full session whose freed seat was held for `late` and ran out, with `next` behind them in line. */
  async function lineWithLapsedHold({ nextAutoBook }: { nextAutoBook: boolean }) {
    const { examId, holders } = await fullSession();
    const late = await student();
    const next = await student();
    await late.api.waitlist.join.mutate({ examId, dominantHand: 'Right', autoBook: false });
    await next.api.waitlist.join.mutate({ examId, dominantHand: 'Left', autoBook: nextAutoBook });
    await holders[0]!.api.bookings.cancel.mutate({ bookingId: holders[0]!.bookingId });
    await expireHolds(examId);
    return { examId, late, next };
  }

  it('a claim after expiry is WAITLIST_HOLD_EXPIRED, and the seat has passed to the next in line', async () => {
    const { examId, late, next } = await lineWithLapsedHold({ nextAutoBook: true });
    expect((await late.api.waitlist.mine.query())[0]).toMatchObject({ status: 'expired', position: null });

    expect(await failure(late.api.waitlist.claim.mutate({ examId }))).toMatchObject({
      appCode: 'WAITLIST_HOLD_EXPIRED',
      httpStatus: 412,
      details: { expiredAt: expect.any(String) },
    });
    expect(await activeBookingOf(examId, late.contact.contactId)).toBeUndefined();
    expect(await activeBookingOf(examId, next.contact.contactId)).toBeDefined();
    expect(await balancesOf(db, late.contact.contactId)).toMatchObject({ cs_credits: 1 });
    expect((await entries(examId)).map((e) => e.status)).toEqual(['expired', 'booked']);
    // Asked again, the answer stays the same.
    expect(await failure(late.api.waitlist.claim.mutate({ examId }))).toMatchObject({
      appCode: 'WAITLIST_HOLD_EXPIRED',
    });
  });

  it('an outsider booking after the hold ran out does not get the seat while someone waits in line', async () => {
    const { examId } = await lineWithLapsedHold({ nextAutoBook: false });
    const outsider = await student();
    expect(await failure(outsider.api.bookings.create.mutate({ examId, dominantHand: 'Right' }))).toMatchObject({
      appCode: 'EXAM_FULL',
    });
    expect(await activeBookingOf(examId, outsider.contact.contactId)).toBeUndefined();
  });

  it('the sweep job passes an expired hold on when no request comes by', async () => {
    const { examId, next } = await lineWithLapsedHold({ nextAutoBook: true });

    const config = loadConfig({ BOOKING_CUTOFF_HOURS: '0', WAITLIST_HOLD_MINUTES: '30' });
    await sweepWaitlists(s.service.database, config, createLogger('silent'));
    expect((await entries(examId)).map((e) => e.status)).toEqual(['expired', 'booked']);
    expect(await activeBookingOf(examId, next.contact.contactId)).toBeDefined();
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
  });
});

describe('bookings written outside the API', () => {
  it('a seat freed by a cancellation of an imported booking still goes to the line', async () => {
    const examId = await insertExam(db, { mockType: 'Clinical Skills', capacity: 1 });
    const owner = await student();
    const bookingId = await insertBookingRow(db, owner.contact.contactId, examId);
    await db.query('update hubspot_mock_exams set total_bookings = 1 where hubspot_id = $1', [examId]);
    const queued = await student();
    await queued.api.waitlist.join.mutate({ examId, dominantHand: 'Right' });
    await owner.api.bookings.cancel.mutate({ bookingId });
    expect(await activeBookingOf(examId, queued.contact.contactId)).toBeDefined();
  });
});

describe('many waiting, several seats freed at once, on two instances', () => {
  it('20 in line, 5 cancellations and 5 outsiders at once: exactly the first 5 eligible booked, in order, credits spent once', async () => {
    const shared = await createSharedResources();
    const env = { LOGIN_RATE_LIMIT_PER_IP: '100000', DB_POOL_MAX: '10' };
    const instances = await Promise.all([startTestService(env, { shared }), startTestService(env, { shared })]);
    const pg = await shared.database.connect();
    try {
      const on = (i: number) => instances[i % 2]!.url;
      const examId = await insertExam(pg, { mockType: 'Clinical Skills', capacity: 5 });
      const holders = [];
      for (let i = 0; i < 5; i++) {
        const contact = await insertContact(pg, { cs_credits: 1 });
        const api = await loginClient(on(i), contact);
        holders.push({ api, ...(await api.bookings.create.mutate({ examId, dominantHand: 'Right' })) });
      }
      const queued: Array<Awaited<ReturnType<typeof insertContact>>> = [];
      for (let i = 0; i < 20; i++) {
        const contact = await insertContact(pg, { cs_credits: 1 });
        const api = await loginClient(on(i), contact);
        await api.waitlist.join.mutate({ examId, dominantHand: i % 2 ? 'Left' : 'Right' });
        queued.push(contact);
      }
      // The third in line has spent their credit since joining: skipped, stays in line.
      await pg.query('update hubspot_contact_credits set cs_credits = 0 where hubspot_id = $1', [queued[2]!.contactId]);
      const outsiders = await inTurn(5, async (i) =>
        loginClient(on(i + 1), await insertContact(pg, { cs_credits: 1 })),
      );

      const settled = await Promise.allSettled([
        ...holders.map((h) => h.api.bookings.cancel.mutate({ bookingId: h.bookingId })),
        ...outsiders.map((api) => api.bookings.create.mutate({ examId, dominantHand: 'Right' })),
      ]);
      expect(settled.slice(0, 5).map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
      const outsiderCodes = await Promise.all(
        settled.slice(5).map((r) => (r.status === 'rejected' ? failure(Promise.reject(r.reason)) : r)),
      );
      expect(outsiderCodes.map((c) => ('appCode' in c ? c.appCode : 'booked'))).toEqual(Array(5).fill('EXAM_FULL'));

      const { rows: booked } = await pg.query(
        `select associated_contact_id from hubspot_bookings where associated_mock_exam = $1 and is_active = 'Active' order by created_at`,
        [examId],
      );
      const promotedOrder = [0, 1, 3, 4, 5].map((i) => queued[i]!.contactId);
      expect(booked.map((r) => r.associated_contact_id).sort()).toEqual([...promotedOrder].sort());
      const { rows: line } = await pg.query(
        'select associated_contact_id, status from waitlist_entries where associated_mock_exam = $1 order by queue_order',
        [examId],
      );
      expect(line.filter((e) => e.status === 'booked').map((e) => e.associated_contact_id)).toEqual(promotedOrder);
      expect(line.filter((e) => e.status === 'waiting')).toHaveLength(15);
      expect(line[2]).toMatchObject({ status: 'waiting' });
      for (const id of promotedOrder) expect(await balancesOf(pg, id)).toMatchObject({ cs_credits: 0 });
      for (const h of holders) expect(h.tokenUsed).toBe('Clinical Skills Token');
      expect(await examCounts(pg, examId)).toEqual({ total_bookings: 5, active: 5 });
    } finally {
      await pg.end();
      for (const instance of instances) await instance.stop();
      await shared.release();
    }
  }, 60_000);
});
