import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from '../client/src';
import {
  balancesOf,
  detailsFor,
  examCounts,
  insertBookingRow,
  insertContact,
  insertExam,
  loginClient,
  newIdempotencyKey,
  type TestContact,
} from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService, withTestService } from './helpers/service';

const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { keyPrefix: s.redisPrefix });
});
afterAll(() => redis.disconnect());

type Credits = Parameters<typeof insertContact>[1];

async function student(credits: Credits = { cs_credits: 1 }): Promise<{ contact: TestContact; api: Client }> {
  const contact = await insertContact(db, credits);
  return { contact, api: await loginClient(s.url, contact) };
}

const bookingRows = async (examId: string) =>
  (await db.query('select * from hubspot_bookings where associated_mock_exam = $1 order by created_at', [examId])).rows;

describe('bookings.create', () => {
  it('books a seat: the answer, the stored row, the credit, the seat count and the Redis counter agree', async () => {
    const { contact, api } = await student({ cs_credits: 2 });
    const examId = await insertExam(db, {
      mockType: 'Clinical Skills',
      examDate: '2031-03-01',
      startsInHours: 24 * 365 * 5,
    });
    const booking = await api.bookings.create.mutate({ examId, dominantHand: 'Left' });

    expect(booking).toEqual({
      bookingId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      bookingCode: `Clinical Skills-${contact.studentId}-March 1, 2031`,
      examId,
      examDate: '2031-03-01',
      mockType: 'Clinical Skills',
      startTime: expect.any(Date),
      endTime: expect.any(Date),
      tokenUsed: 'Clinical Skills Token',
      creditsRemaining: 1,
    });
    const [row] = await bookingRows(examId);
    expect(row).toMatchObject({
      id: booking.bookingId,
      booking_id: booking.bookingCode,
      associated_contact_id: contact.contactId,
      associated_mock_exam: examId,
      student_id: contact.studentId,
      student_email: contact.email,
      name: 'Test Tester',
      is_active: 'Active',
      token_used: 'Clinical Skills Token',
      token_refunded: false,
      attending_location: null,
      dominant_hand: 'Left',
      mock_type: 'Clinical Skills',
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    expect(await redis.get(`exam:${examId}:bookings`)).toBe('1');
    const listed = await s.client.exams.byId.query({ examId });
    expect(listed).toMatchObject({ totalBookings: 1, availableSlots: 7, status: 'available', bookable: true });
  });

  it.each([
    ['Situational Judgment', { sj_credits: 1, shared_mock_credits: 1 }, 'Situational Judgment Token', 'sj_credits'],
    ['Situational Judgment', { sj_credits: 0, shared_mock_credits: 1 }, 'Shared Token', 'shared_mock_credits'],
    ['Clinical Skills', { cs_credits: 1, shared_mock_credits: 1 }, 'Clinical Skills Token', 'cs_credits'],
    ['Clinical Skills', { cs_credits: 0, shared_mock_credits: 2 }, 'Shared Token', 'shared_mock_credits'],
    ['Mini-mock', { sjmini_credits: 1, shared_mock_credits: 1 }, 'Mini-mock Token', 'sjmini_credits'],
    [
      'Mock Discussion',
      { mock_discussion_token: 1, shared_mock_credits: 1 },
      'Mock Discussion Token',
      'mock_discussion_token',
    ],
  ] as const)(
    '%s with %j spends a %s from %s, and cancelling refunds exactly that',
    async (mockType, credits, token, column) => {
      const { contact, api } = await student(credits);
      const examId = await insertExam(db, { mockType });
      const before = await balancesOf(db, contact.contactId);

      const booking = await api.bookings.create.mutate({ ...detailsFor(mockType), examId });
      expect(booking.tokenUsed).toBe(token);
      const afterBooking = await balancesOf(db, contact.contactId);
      expect(afterBooking).toEqual({ ...before, [column]: before[column]! - 1 });

      const cancelled = await api.bookings.cancel.mutate({ bookingId: booking.bookingId, reason: 'changed plans' });
      expect(cancelled).toEqual({
        bookingId: booking.bookingId,
        status: 'Cancelled',
        creditRefunded: token,
        creditsRemaining: expect.any(Number),
      });
      expect(await balancesOf(db, contact.contactId)).toEqual(before);
      const [row] = await bookingRows(examId);
      expect(row).toMatchObject({ is_active: 'Cancelled', token_refunded: true, cancellation_reason: 'changed plans' });
      expect(row.token_refunded_at).toBeInstanceOf(Date);
      expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
    },
  );

  it.each([
    ['Mini-mock', { sjmini_credits: 0, shared_mock_credits: 3 }],
    ['Mock Discussion', { mock_discussion_token: 0, shared_mock_credits: 3 }],
    ['Clinical Skills', { cs_credits: 0, sj_credits: 3, shared_mock_credits: 0 }],
    ['Situational Judgment', { sj_credits: 0, cs_credits: 3 }],
  ] as const)('%s with %j is INSUFFICIENT_CREDITS and changes nothing', async (mockType, credits) => {
    const { contact, api } = await student(credits);
    const examId = await insertExam(db, { mockType });
    const before = await balancesOf(db, contact.contactId);
    const err = await failure(api.bookings.create.mutate({ ...detailsFor(mockType), examId }));
    expect(err).toMatchObject({ appCode: 'INSUFFICIENT_CREDITS', httpStatus: 402 });
    expect(await balancesOf(db, contact.contactId)).toEqual(before);
    expect(await bookingRows(examId)).toEqual([]);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
  });

  it('EXAM_NOT_FOUND for an unknown session', async () => {
    const { api } = await student();
    expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId: 'no-such-exam' }))).toMatchObject({
      appCode: 'EXAM_NOT_FOUND',
      httpStatus: 404,
    });
  });

  it.each([
    ['inactive', { isActive: 'false' }, 'inactive'],
    ['scheduled and not yet activated', { isActive: 'scheduled', activationInHours: 1 }, 'not-yet-open'],
    ['already started', { startsInHours: -1 }, 'started'],
  ] as const)('EXAM_NOT_BOOKABLE when %s, and nothing is spent', async (_label, fields, reason) => {
    const { contact, api } = await student({ cs_credits: 1 });
    const examId = await insertExam(db, fields);
    const err = await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId }));
    expect(err).toMatchObject({ appCode: 'EXAM_NOT_BOOKABLE', httpStatus: 412, details: { reason } });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
  });

  it('a scheduled session opens the moment its activation time passes', async () => {
    const { api } = await student();
    const examId = await insertExam(db, { isActive: 'scheduled', activationInHours: -1 / 3600 });
    await expect(api.bookings.create.mutate({ dominantHand: 'Right', examId })).resolves.toMatchObject({ examId });
  });

  it('EXAM_FULL when every seat is taken; the other student keeps the credit', async () => {
    const examId = await insertExam(db, { capacity: 1 });
    const first = await student();
    await first.api.bookings.create.mutate({ dominantHand: 'Right', examId });
    const second = await student();
    expect(await failure(second.api.bookings.create.mutate({ dominantHand: 'Right', examId }))).toMatchObject({
      appCode: 'EXAM_FULL',
      httpStatus: 409,
    });
    expect((await balancesOf(db, second.contact.contactId)).cs_credits).toBe(1);
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
  });

  it('counts seats from the bookings, not a drifted total_bookings, and heals both the row and the Redis counter', async () => {
    const examId = await insertExam(db, { capacity: 2 });
    await db.query('update hubspot_mock_exams set total_bookings = 2 where hubspot_id = $1', [examId]); // drifted high
    await redis.set(`exam:${examId}:bookings`, '0');
    await redis.set(`exam:${examId}:capacity`, '2');
    const { api } = await student();
    await api.bookings.create.mutate({ dominantHand: 'Right', examId });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    expect(await redis.get(`exam:${examId}:bookings`)).toBe('1');
  });

  it('a counter that says "seats left" on a full session is corrected by the database, which decides', async () => {
    const examId = await insertExam(db, { capacity: 1 });
    await (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId });
    await redis.set(`exam:${examId}:bookings`, '0'); // stale low
    const late = await student();
    expect(await failure(late.api.bookings.create.mutate({ dominantHand: 'Right', examId }))).toMatchObject({
      appCode: 'EXAM_FULL',
    });
    expect(await redis.get(`exam:${examId}:bookings`)).toBe('1');
  });

  it('a missing counter is rebuilt from the database by the next listing', async () => {
    const examId = await insertExam(db, { capacity: 8 });
    await (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId });
    await redis.del(`exam:${examId}:bookings`, `exam:${examId}:capacity`);
    expect(await s.client.exams.byId.query({ examId })).toMatchObject({ availableSlots: 7 });
    expect(await redis.get(`exam:${examId}:bookings`)).toBe('1');
  });

  it('DUPLICATE_BOOKING for a second session of the same type on the same date; another type that day is fine', async () => {
    const { contact, api } = await student({ cs_credits: 2, sj_credits: 1 });
    const morning = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-05-05' });
    const afternoon = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-05-05' });
    const sj = await insertExam(db, { mockType: 'Situational Judgment', examDate: '2031-05-05' });
    await api.bookings.create.mutate({ dominantHand: 'Right', examId: morning });
    expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId: afternoon }))).toMatchObject({
      appCode: 'DUPLICATE_BOOKING',
      httpStatus: 409,
    });
    await expect(api.bookings.create.mutate({ attendingLocation: 'Calgary', examId: sj })).resolves.toMatchObject({
      tokenUsed: 'Situational Judgment Token',
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
  });

  describe('prerequisites', () => {
    it('PREREQUISITES_NOT_MET lists what is missing; Active or Completed bookings satisfy, Cancelled ones do not', async () => {
      const { contact, api } = await student({ cs_credits: 2, mock_discussion_token: 2 });
      const cs1 = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-06-01' });
      const cs2 = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-06-02' });
      const discussion = await insertExam(db, { mockType: 'Mock Discussion', prerequisites: [cs1, cs2] });

      const none = await failure(api.bookings.create.mutate({ examId: discussion }));
      expect(none).toMatchObject({
        appCode: 'PREREQUISITES_NOT_MET',
        httpStatus: 412,
        details: { missingExamIds: [cs1, cs2] },
      });

      const first = await api.bookings.create.mutate({ dominantHand: 'Right', examId: cs1 });
      await api.bookings.create.mutate({ dominantHand: 'Right', examId: cs2 });
      await api.bookings.cancel.mutate({ bookingId: first.bookingId });
      expect(await failure(api.bookings.create.mutate({ examId: discussion }))).toMatchObject({
        details: { missingExamIds: [cs1] },
      });

      // An attended (Completed) session counts too.
      await insertBookingRow(db, contact.contactId, cs1, { status: 'Completed', attendance: 'Yes' });
      await expect(api.bookings.create.mutate({ examId: discussion })).resolves.toMatchObject({
        tokenUsed: 'Mock Discussion Token',
      });
    });
  });

  describe('idempotency', () => {
    it('the same key and input returns the same booking and spends one credit', async () => {
      const { contact, api } = await student({ cs_credits: 3 });
      const examId = await insertExam(db);
      const idempotencyKey = newIdempotencyKey();
      const first = await api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      const again = await api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      expect(again).toEqual({ ...first, creditsRemaining: 2 });
      expect(await bookingRows(examId)).toHaveLength(1);
      expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(2);
    });

    it('the same key with different input is IDEMPOTENCY_KEY_REUSED', async () => {
      const { api } = await student({ cs_credits: 3 });
      const [a, b] = [
        await insertExam(db, { examDate: '2031-07-01' }),
        await insertExam(db, { examDate: '2031-07-02' }),
      ];
      const idempotencyKey = newIdempotencyKey();
      await api.bookings.create.mutate({ dominantHand: 'Right', examId: a, idempotencyKey });
      expect(
        await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId: b, idempotencyKey })),
      ).toMatchObject({
        appCode: 'IDEMPOTENCY_KEY_REUSED',
        httpStatus: 422,
      });
      expect(
        await failure(api.bookings.create.mutate({ dominantHand: 'Left', examId: a, idempotencyKey })),
      ).toMatchObject({ appCode: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await bookingRows(b)).toEqual([]);
    });

    it('keys belong to a student: two students may use the same key', async () => {
      const examId = await insertExam(db);
      const idempotencyKey = newIdempotencyKey();
      const one = await (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      const two = await (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      expect(one.bookingId).not.toBe(two.bookingId);
    });

    it('cancel then rebook works, with a new key or with the same one', async () => {
      const { contact, api } = await student({ cs_credits: 1 });
      const examId = await insertExam(db);
      const idempotencyKey = newIdempotencyKey();
      const first = await api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      await api.bookings.cancel.mutate({ bookingId: first.bookingId });
      const second = await api.bookings.create.mutate({ dominantHand: 'Right', examId, idempotencyKey });
      expect(second.bookingId).not.toBe(first.bookingId);
      await api.bookings.cancel.mutate({ bookingId: second.bookingId });
      const third = await api.bookings.create.mutate({
        dominantHand: 'Right',
        examId,
        idempotencyKey: newIdempotencyKey(),
      });
      const fourth = await api.bookings.cancel
        .mutate({ bookingId: third.bookingId })
        .then(() => api.bookings.create.mutate({ dominantHand: 'Right', examId }));
      expect(fourth.examId).toBe(examId);
      expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
      expect(await examCounts(db, examId)).toEqual({ total_bookings: 1, active: 1 });
    });
  });
});

describe('the per-session lock', () => {
  it('is released after a booking fails, so the next student is not kept waiting', async () => {
    const { api } = await student({ cs_credits: 0 });
    const examId = await insertExam(db);
    expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId }))).toMatchObject({
      appCode: 'INSUFFICIENT_CREDITS',
    });
    expect(await redis.exists(`lock:${examId}`)).toBe(0);
    await expect(
      (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId }),
    ).resolves.toMatchObject({ examId });
    expect(await redis.exists(`lock:${examId}`)).toBe(0);
  });

  it('answers BUSY when the lock cannot be had within the wait budget, and books nothing', async () => {
    await withTestService({ BOOKING_LOCK_WAIT_MS: '300' }, async (impatient) => {
      const idb = impatient.db;
      const contact = await insertContact(idb, { cs_credits: 1 });
      const api = await loginClient(impatient.url, contact);
      const examId = await insertExam(idb);
      const holder = new Redis(inject('redisUrl'), { keyPrefix: impatient.redisPrefix });
      await holder.set(`lock:${examId}`, 'someone-else', 'PX', 5_000);
      expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId }))).toMatchObject({
        appCode: 'BUSY',
        httpStatus: 429,
      });
      expect(await holder.get(`lock:${examId}`)).toBe('someone-else'); // never released someone else's lock
      await holder.del(`lock:${examId}`);
      await expect(api.bookings.create.mutate({ dominantHand: 'Right', examId })).resolves.toMatchObject({ examId });
      expect((await balancesOf(idb, contact.contactId)).cs_credits).toBe(0);
      holder.disconnect();
    });
  });
});

describe('bookings.cancel', () => {
  it('refunds nothing for an Admin Override booking', async () => {
    const { contact, api } = await student({ cs_credits: 1, shared_mock_credits: 1 });
    const examId = await insertExam(db);
    const bookingId = await insertBookingRow(db, contact.contactId, examId, { tokenUsed: 'Admin Override' });
    const result = await api.bookings.cancel.mutate({ bookingId });
    expect(result).toMatchObject({ status: 'Cancelled', creditRefunded: null });
    expect(await balancesOf(db, contact.contactId)).toMatchObject({ cs_credits: 1, shared_mock_credits: 1 });
    expect((await bookingRows(examId))[0]).toMatchObject({ is_active: 'Cancelled', token_refunded: false });
  });

  it('BOOKING_NOT_CANCELLABLE the second time, with no second refund', async () => {
    const { contact, api } = await student({ cs_credits: 1 });
    const booking = await api.bookings.create.mutate({ dominantHand: 'Right', examId: await insertExam(db) });
    await api.bookings.cancel.mutate({ bookingId: booking.bookingId });
    expect(await failure(api.bookings.cancel.mutate({ bookingId: booking.bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_CANCELLABLE',
      httpStatus: 412,
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
  });

  it('BOOKING_NOT_CANCELLABLE once the session has started', async () => {
    const { contact, api } = await student({ cs_credits: 0 });
    const examId = await insertExam(db, { startsInHours: -1 });
    const bookingId = await insertBookingRow(db, contact.contactId, examId);
    expect(await failure(api.bookings.cancel.mutate({ bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_CANCELLABLE',
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
  });

  it('BOOKING_NOT_CANCELLABLE inside the configured cutoff', async () => {
    await withTestService({ CANCELLATION_CUTOFF_HOURS: '48' }, async (strict) => {
      const sdb = strict.db;
      const contact = await insertContact(sdb, { cs_credits: 2 });
      const api = await loginClient(strict.url, contact);
      const soon = await api.bookings.create.mutate({
        dominantHand: 'Right',
        examId: await insertExam(sdb, { startsInHours: 24, examDate: '2031-01-01' }),
      });
      const later = await api.bookings.create.mutate({
        dominantHand: 'Right',
        examId: await insertExam(sdb, { startsInHours: 72, examDate: '2031-01-02' }),
      });
      expect(await failure(api.bookings.cancel.mutate({ bookingId: soon.bookingId }))).toMatchObject({
        appCode: 'BOOKING_NOT_CANCELLABLE',
        details: { cutoffHours: 48 },
      });
      await expect(api.bookings.cancel.mutate({ bookingId: later.bookingId })).resolves.toMatchObject({
        status: 'Cancelled',
      });
    });
  });

  it("another student's booking reads as BOOKING_NOT_FOUND, for cancel and byId alike", async () => {
    const owner = await student();
    const booking = await owner.api.bookings.create.mutate({ dominantHand: 'Right', examId: await insertExam(db) });
    const other = await student();
    expect(await failure(other.api.bookings.cancel.mutate({ bookingId: booking.bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_FOUND',
      httpStatus: 404,
    });
    expect(await failure(other.api.bookings.byId.query({ bookingId: booking.bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_FOUND',
    });
    expect(
      await failure(other.api.bookings.byId.query({ bookingId: '00000000-0000-4000-8000-000000000000' })),
    ).toMatchObject({ appCode: 'BOOKING_NOT_FOUND' });
    expect((await bookingRows(booking.examId))[0].is_active).toBe('Active');
  });
});

describe('bookings.mine and byId', () => {
  it('lists only my bookings, filtered, with past Active bookings read as Completed, paginated without gaps or repeats', async () => {
    const { contact, api } = await student({ cs_credits: 10 });
    await (await student()).api.bookings.create.mutate({ dominantHand: 'Right', examId: await insertExam(db) }); // someone else's
    const upcoming: string[] = [];
    for (let day = 1; day <= 5; day++) {
      const examId = await insertExam(db, { examDate: `2032-01-0${day}`, startsInHours: 24 * day });
      upcoming.push((await api.bookings.create.mutate({ dominantHand: 'Right', examId })).bookingId);
    }
    const cancelled = upcoming.pop()!;
    await api.bookings.cancel.mutate({ bookingId: cancelled });
    const pastExam = await insertExam(db, { startsInHours: -48, examDate: '2020-01-01' });
    const pastBooking = await insertBookingRow(db, contact.contactId, pastExam);

    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.bookings.mine.query({ filter: 'upcoming', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      pages.push(...page.items.map((i) => i.bookingId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual(upcoming);

    const past = await api.bookings.mine.query({ filter: 'past' });
    expect(past.items.map((i) => [i.bookingId, i.status])).toEqual([[pastBooking, 'Completed']]);

    const all = await api.bookings.mine.query({ filter: 'all', limit: 100 });
    expect(all.items).toHaveLength(6);
    expect(all.items.find((i) => i.bookingId === cancelled)?.status).toBe('Cancelled');
    expect(all.nextCursor).toBeNull();

    const one = await api.bookings.byId.query({ bookingId: upcoming[0]! });
    expect(one).toMatchObject({
      bookingId: upcoming[0],
      status: 'Active',
      location: 'Toronto',
      mockType: 'Clinical Skills',
    });
    expect(one).not.toHaveProperty('idempotencyKey');
    expect(one).not.toHaveProperty('contactId');
  });
});

describe('credits', () => {
  it('credits.mine shows the five balances; credits.check says what a type can spend', async () => {
    const { api } = await student({
      sj_credits: 2,
      cs_credits: 0,
      sjmini_credits: 1,
      mock_discussion_token: 0,
      shared_mock_credits: 3,
    });
    expect(await api.credits.mine.query()).toEqual({
      sjCredits: 2,
      csCredits: 0,
      sjminiCredits: 1,
      mockDiscussionToken: 0,
      sharedMockCredits: 3,
    });
    expect(await api.credits.check.query({ mockType: 'Clinical Skills' })).toEqual({
      eligible: true,
      available: 3,
      specific: 0,
      shared: 3,
      creditField: 'cs_credits',
    });
    expect(await api.credits.check.query({ mockType: 'Situational Judgment' })).toEqual({
      eligible: true,
      available: 5,
      specific: 2,
      shared: 3,
      creditField: 'sj_credits',
    });
    expect(await api.credits.check.query({ mockType: 'Mini-mock' })).toEqual({
      eligible: true,
      available: 1,
      specific: 1,
      shared: 0,
      creditField: 'sjmini_credits',
    });
    expect(await api.credits.check.query({ mockType: 'Mock Discussion' })).toEqual({
      eligible: false,
      available: 0,
      specific: 0,
      shared: 0,
      creditField: 'mock_discussion_token',
    });
  });
});

describe('exams.byId', () => {
  it('shows any session with whether it is bookable now; EXAM_NOT_FOUND otherwise', async () => {
    const closed = await insertExam(db, { isActive: 'false', prerequisites: ['x-1'] });
    expect(await s.client.exams.byId.query({ examId: closed })).toMatchObject({
      examId: closed,
      bookable: false,
      prerequisiteExamIds: ['x-1'],
      capacity: 8,
    });
    expect(await failure(s.client.exams.byId.query({ examId: 'nope' }))).toMatchObject({
      appCode: 'EXAM_NOT_FOUND',
      httpStatus: 404,
    });
  });
});
