import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import {
  balancesOf,
  examCounts,
  insertBookingRow,
  insertContact,
  insertExam,
  loginClient,
  type TestContact,
} from './helpers/factories';
import { failure } from './helpers/failure';
import {
  createSharedResources,
  type SharedResources,
  startTestService,
  type TestService,
  useTestService,
  withTestService,
} from './helpers/service';

// Issue 12's booking rules, over HTTP through the client: per-type details, the booking cutoff and
// overlapping sessions.

const LOCATIONS = 'Mississauga,Calgary,Vancouver,Montreal,Richmond Hill,Halifax';
const s = useTestService({ ATTENDING_LOCATIONS: LOCATIONS, LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

type Credits = Parameters<typeof insertContact>[1];
const ALL_CREDITS: Credits = { sj_credits: 5, cs_credits: 5, sjmini_credits: 5, mock_discussion_token: 5 };

async function student(credits: Credits = ALL_CREDITS): Promise<{ contact: TestContact; api: Client }> {
  const contact = await insertContact(db, credits);
  return { contact, api: await loginClient(s.url, contact) };
}

const storedDetails = async (bookingId: string) =>
  (await db.query('select dominant_hand, attending_location from hubspot_bookings where id = $1', [bookingId])).rows[0];

describe('per-type booking details', () => {
  it.each([
    ['Clinical Skills', {}, 'dominantHand'],
    ['Situational Judgment', {}, 'attendingLocation'],
    ['Mini-mock', {}, 'attendingLocation'],
    ['Situational Judgment', { attendingLocation: 'Toronto' }, 'attendingLocation'],
    ['Clinical Skills', { dominantHand: 'Left', attendingLocation: 'Calgary' }, 'attendingLocation'],
    ['Situational Judgment', { attendingLocation: 'Calgary', dominantHand: 'Left' }, 'dominantHand'],
    ['Mock Discussion', { attendingLocation: 'Calgary' }, 'attendingLocation'],
    ['Clinical Skills', { dominantHand: 'Left', discussionFormat: 'Virtual' }, 'discussionFormat'],
  ] as const)('%s with %j is a field error on %s, and nothing is booked or spent', async (mockType, details, field) => {
    const { contact, api } = await student();
    const examId = await insertExam(db, { mockType });
    const data = await failure(api.bookings.create.mutate({ examId, ...details }));
    expect(data).toMatchObject({ appCode: 'VALIDATION_FAILED', httpStatus: 400, details: { field } });
    expect(Object.keys(data.fieldErrors ?? {})).toEqual([field]);
    expect(await balancesOf(db, contact.contactId)).toMatchObject({ sj_credits: 5, cs_credits: 5, sjmini_credits: 5 });
    expect(await examCounts(db, examId)).toEqual({ total_bookings: 0, active: 0 });
  });

  it('stores a left hand as Left (the old system saved it as Right) and a right hand as Right', async () => {
    for (const hand of ['Left', 'Right'] as const) {
      const { api } = await student();
      const booking = await api.bookings.create.mutate({ examId: await insertExam(db), dominantHand: hand });
      expect(await storedDetails(booking.bookingId)).toEqual({ dominant_hand: hand, attending_location: null });
      expect(await api.bookings.byId.query({ bookingId: booking.bookingId })).toMatchObject({ dominantHand: hand });
    }
  });

  it('takes an attending location from ATTENDING_LOCATIONS, spelled as configured', async () => {
    const { api } = await student();
    const sj = await insertExam(db, { mockType: 'Situational Judgment' });
    const mini = await insertExam(db, { mockType: 'Mini-mock' });
    const a = await api.bookings.create.mutate({ examId: sj, attendingLocation: 'richmond hill' });
    const b = await api.bookings.create.mutate({ examId: mini, attendingLocation: 'Halifax' });
    expect(await storedDetails(a.bookingId)).toEqual({ dominant_hand: null, attending_location: 'Richmond Hill' });
    expect(await storedDetails(b.bookingId)).toEqual({ dominant_hand: null, attending_location: 'Halifax' });
  });

  it('a Mock Discussion is Virtual unless another format is chosen', async () => {
    const { api } = await student();
    const plain = await api.bookings.create.mutate({ examId: await insertExam(db, { mockType: 'Mock Discussion' }) });
    const inPerson = await api.bookings.create.mutate({
      // Another day: two Mock Discussions on one date would be a duplicate booking.
      examId: await insertExam(db, { mockType: 'Mock Discussion', startsInHours: 24 * 40 }),
      discussionFormat: 'In Person',
    });
    expect(await storedDetails(plain.bookingId)).toEqual({ dominant_hand: null, attending_location: 'Virtual' });
    expect(await storedDetails(inPerson.bookingId)).toEqual({ dominant_hand: null, attending_location: 'In Person' });
  });

  it('an unknown discussion format is refused by the schema', async () => {
    const { api } = await student();
    const examId = await insertExam(db, { mockType: 'Mock Discussion' });
    const data = await failure(api.bookings.create.mutate({ examId, discussionFormat: 'Phone' as never }));
    expect(data).toMatchObject({ appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(data.fieldErrors ?? {})).toEqual(['discussionFormat']);
  });

  it('exams.byId tells the frontend which fields a session needs and the values allowed', async () => {
    const byType = async (mockType: string) =>
      (await s.client.exams.byId.query({ examId: await insertExam(db, { mockType }) })).bookingFields;
    expect(await byType('Clinical Skills')).toEqual([
      { field: 'dominantHand', required: true, values: ['Left', 'Right'] },
    ]);
    const locations = LOCATIONS.split(',');
    expect(await byType('Situational Judgment')).toEqual([
      { field: 'attendingLocation', required: true, values: locations },
    ]);
    expect(await byType('Mini-mock')).toEqual([{ field: 'attendingLocation', required: true, values: locations }]);
    expect(await byType('Mock Discussion')).toEqual([
      { field: 'discussionFormat', required: false, values: ['Virtual', 'In Person'], default: 'Virtual' },
    ]);
  });

  it('keeps the school’s display code format', async () => {
    const { contact, api } = await student();
    const examId = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2026-03-01' });
    const booking = await api.bookings.create.mutate({ examId, dominantHand: 'Right' });
    expect(booking.bookingCode).toBe(`Clinical Skills-${contact.studentId}-March 1, 2026`);
  });
});

describe('bookings.mine: the cancelled tab and per-tab counts', () => {
  it('lists only cancelled bookings under "cancelled" and counts every tab on every page', async () => {
    const { contact, api } = await student();
    const kept = await api.bookings.create.mutate({ examId: await insertExam(db), dominantHand: 'Left' });
    const dropped = await api.bookings.create.mutate({
      examId: await insertExam(db, { mockType: 'Mini-mock' }),
      attendingLocation: 'Calgary',
    });
    await api.bookings.cancel.mutate({ bookingId: dropped.bookingId });
    const attended = await insertBookingRow(db, contact.contactId, await insertExam(db, { startsInHours: -48 }), {
      status: 'Completed',
      attendance: 'Yes',
    });

    const cancelled = await api.bookings.mine.query({ filter: 'cancelled' });
    expect(cancelled.items.map((i) => [i.bookingId, i.status])).toEqual([[dropped.bookingId, 'Cancelled']]);
    const counts = { upcoming: 1, past: 1, cancelled: 1, all: 3 };
    expect(cancelled.counts).toEqual(counts);
    const firstPage = await api.bookings.mine.query({ filter: 'all', limit: 1 });
    expect(firstPage.counts).toEqual(counts);
    expect((await api.bookings.mine.query({ filter: 'upcoming' })).items.map((i) => i.bookingId)).toEqual([
      kept.bookingId,
    ]);
    expect((await api.bookings.mine.query({ filter: 'past' })).items.map((i) => i.bookingId)).toEqual([attended]);
  });
});

describe('booking cutoff (BOOKING_CUTOFF_HOURS)', () => {
  it('refuses a booking inside the cutoff with EXAM_NOT_BOOKABLE reason "cutoff"; earlier sessions book', async () => {
    await withTestService({ BOOKING_CUTOFF_HOURS: '24' }, async (strict) => {
      const contact = await insertContact(strict.db, { cs_credits: 2 });
      const api = await loginClient(strict.url, contact);
      const tomorrowMorning = await insertExam(strict.db, { startsInHours: 20 });
      const dayAfter = await insertExam(strict.db, { startsInHours: 30 });

      expect(await failure(api.bookings.create.mutate({ examId: tomorrowMorning, dominantHand: 'Left' }))).toEqual(
        expect.objectContaining({ appCode: 'EXAM_NOT_BOOKABLE', httpStatus: 412, details: { reason: 'cutoff' } }),
      );
      expect((await balancesOf(strict.db, contact.contactId)).cs_credits).toBe(2);
      expect(await strict.client.exams.byId.query({ examId: tomorrowMorning })).toMatchObject({ bookable: false });
      const listed = (await strict.client.exams.available.query()).map((e) => e.examId);
      expect(listed).not.toContain(tomorrowMorning);
      expect(listed).toContain(dayAfter);

      await expect(api.bookings.create.mutate({ examId: dayAfter, dominantHand: 'Left' })).resolves.toMatchObject({
        examId: dayAfter,
      });
    });
  });
});

describe('overlapping sessions', () => {
  it('TIME_CONFLICT names the other booking, whatever the types; touching sessions and a cancelled one are fine', async () => {
    const { contact, api } = await student();
    const cs = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 500, durationHours: 3 });
    const sjOverlapping = await insertExam(db, {
      mockType: 'Situational Judgment',
      startsInHours: 501,
      durationHours: 1,
    });
    const miniTouching = await insertExam(db, { mockType: 'Mini-mock', startsInHours: 503, durationHours: 1 });

    const held = await api.bookings.create.mutate({ examId: cs, dominantHand: 'Right' });
    const data = await failure(api.bookings.create.mutate({ examId: sjOverlapping, attendingLocation: 'Calgary' }));
    expect(data).toMatchObject({
      appCode: 'TIME_CONFLICT',
      httpStatus: 409,
      details: { bookingId: held.bookingId, examId: cs },
    });
    expect((await balancesOf(db, contact.contactId)).sj_credits).toBe(5);

    await expect(
      api.bookings.create.mutate({ examId: miniTouching, attendingLocation: 'Calgary' }),
    ).resolves.toMatchObject({ examId: miniTouching });

    await api.bookings.cancel.mutate({ bookingId: held.bookingId });
    await expect(
      api.bookings.create.mutate({ examId: sjOverlapping, attendingLocation: 'Calgary' }),
    ).resolves.toMatchObject({ examId: sjOverlapping });
  });

  it('judges by the session’s times: a session moved onto another booking’s time conflicts', async () => {
    const { api } = await student();
    const first = await insertExam(db, { startsInHours: 600 });
    const later = await insertExam(db, { mockType: 'Mini-mock', startsInHours: 610 });
    const held = await api.bookings.create.mutate({ examId: first, dominantHand: 'Left' });
    // An admin moves the first session; the booking's copies of its times stay as they were.
    await db.query(
      `update hubspot_mock_exams set start_time = now() + interval '609 hours', end_time = now() + interval '612 hours'
       where hubspot_id = $1`,
      [first],
    );
    expect(await failure(api.bookings.create.mutate({ examId: later, attendingLocation: 'Calgary' }))).toMatchObject({
      appCode: 'TIME_CONFLICT',
      details: { bookingId: held.bookingId },
    });
  });
});

describe('overlapping sessions booked at once, across two instances', () => {
  let shared: SharedResources & { release(): Promise<void> };
  const servers: TestService[] = [];
  beforeAll(async () => {
    shared = await createSharedResources();
    servers.push(...(await Promise.all([startTestService({}, { shared }), startTestService({}, { shared })])));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await shared.release();
  });

  it('one student, two overlapping sessions, sent together ten times: exactly one booking each time', async () => {
    const sdb = await shared.database.connect();
    try {
      for (let round = 0; round < 10; round++) {
        const contact = await insertContact(sdb, { cs_credits: 1, sj_credits: 1 });
        const apis = await Promise.all(servers.map((server) => loginClient(server.url, contact)));
        const cs = await insertExam(sdb, { mockType: 'Clinical Skills', startsInHours: 700 + 10 * round });
        const sj = await insertExam(sdb, { mockType: 'Situational Judgment', startsInHours: 701 + 10 * round });
        const settled = await Promise.allSettled([
          apis[0]!.bookings.create.mutate({ examId: cs, dominantHand: 'Right' }),
          apis[1]!.bookings.create.mutate({ examId: sj, attendingLocation: 'Montreal' }),
        ]);
        const codes = await Promise.all(
          settled.map(async (r) =>
            r.status === 'fulfilled' ? 'ok' : (await failure(Promise.reject(r.reason))).appCode,
          ),
        );
        expect(codes.sort()).toEqual(['TIME_CONFLICT', 'ok']);
        const { rows } = await sdb.query(
          "select count(*)::int as n from hubspot_bookings where associated_contact_id = $1 and is_active = 'Active'",
          [contact.contactId],
        );
        expect(rows[0].n).toBe(1);
        const balances = await balancesOf(sdb, contact.contactId);
        expect(balances.cs_credits! + balances.sj_credits!).toBe(1);
      }
    } finally {
      await sdb.end();
    }
  });
});
