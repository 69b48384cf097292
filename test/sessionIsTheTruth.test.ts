import { describe, expect, it } from 'vitest';
import { balancesOf, insertContact, insertExam, loginClient, type TestContact } from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

/**
 * Issues 17 and 18 (item 2): the rules read the session, never the booking's copies of its type, date
 * and times. Bookings the old `create_booking_atomic` RPC wrote have those copies NULL; a session moved
 * by an admin leaves them stale. Over HTTP, as a student meets it.
 */
const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000', CANCELLATION_CUTOFF_HOURS: '24' });
const { db } = s;

/** A booking shaped like the old booking RPC's: no copy of the session's type, date or times. */
async function rpcShapedBooking(contact: TestContact, examId: string, tokenUsed = 'Clinical Skills Token') {
  const { rows } = await db.query<{ id: string }>(
    `insert into hubspot_bookings (associated_contact_id, associated_mock_exam, token_used, is_active)
     values ($1, $2, $3, 'Active') returning id`,
    [contact.contactId, examId, tokenUsed],
  );
  return rows[0]!.id;
}

async function studentWith(credits: Parameters<typeof insertContact>[1]) {
  const contact = await insertContact(db, credits);
  return { contact, api: await loginClient(s.url, contact) };
}

const startOf = async (examId: string) =>
  (
    await db.query<{ start_time: Date; end_time: Date }>('select * from hubspot_mock_exams where hubspot_id = $1', [
      examId,
    ])
  ).rows[0]!;

describe('bookings.mine and byId: upcoming and past by the session', () => {
  it('lists an RPC-made booking of an upcoming session under upcoming, with the session’s type, date and times', async () => {
    const { contact, api } = await studentWith({ cs_credits: 1 });
    const examId = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-01', startsInHours: 240 });
    const bookingId = await rpcShapedBooking(contact, examId);
    const session = await startOf(examId);

    const upcoming = await api.bookings.mine.query({ filter: 'upcoming' });
    expect(upcoming.items).toEqual([
      expect.objectContaining({
        bookingId,
        status: 'Active',
        mockType: 'Clinical Skills',
        examDate: '2031-04-01',
        startTime: session.start_time,
        endTime: session.end_time,
      }),
    ]);
    expect((await api.bookings.mine.query({ filter: 'past' })).items).toEqual([]);
    expect(await api.bookings.byId.query({ bookingId })).toMatchObject({ startTime: session.start_time });
  });

  it('lists a booking whose copy says upcoming but whose session has taken place under past, as Completed', async () => {
    const { contact, api } = await studentWith({ cs_credits: 1 });
    const examId = await insertExam(db, { startsInHours: -24 * 330 });
    const bookingId = await rpcShapedBooking(contact, examId);
    await db.query("update hubspot_bookings set start_time = now() + interval '30 days' where id = $1", [bookingId]);

    expect((await api.bookings.mine.query({ filter: 'upcoming' })).items).toEqual([]);
    const past = await api.bookings.mine.query({ filter: 'past' });
    expect(past.items.map((i) => [i.bookingId, i.status])).toEqual([[bookingId, 'Completed']]);
  });
});

describe('bookings.create: the duplicate rule by the session', () => {
  it('refuses a second booking of a session held through an RPC-made booking, and keeps the credit', async () => {
    const { contact, api } = await studentWith({ cs_credits: 2 });
    const examId = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-02' });
    const held = await rpcShapedBooking(contact, examId);

    expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId }))).toMatchObject({
      appCode: 'DUPLICATE_BOOKING',
      httpStatus: 409,
      details: { bookingId: held },
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(2);
  });

  it('refuses another session of the same type and date when the held booking’s copies are NULL', async () => {
    const { contact, api } = await studentWith({ cs_credits: 2 });
    const morning = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-03' });
    const afternoon = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-03' });
    await rpcShapedBooking(contact, morning);

    expect(await failure(api.bookings.create.mutate({ dominantHand: 'Right', examId: afternoon }))).toMatchObject({
      appCode: 'DUPLICATE_BOOKING',
    });
  });

  it('judges by the session’s date, not a stale copy: a booking whose session moved away no longer blocks that date', async () => {
    const { api } = await studentWith({ cs_credits: 2 });
    const moved = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-05' });
    const { bookingId } = await api.bookings.create.mutate({ dominantHand: 'Right', examId: moved });
    // An admin moves the session to another day; the booking's copy still says 2031-04-05.
    await db.query("update hubspot_mock_exams set exam_date = '2031-04-06' where hubspot_id = $1", [moved]);
    const sameDayAsCopy = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2031-04-05' });

    await expect(api.bookings.create.mutate({ dominantHand: 'Right', examId: sameDayAsCopy })).resolves.toMatchObject({
      tokenUsed: 'Clinical Skills Token',
    });
    expect((await api.bookings.byId.query({ bookingId })).examDate).toBe('2031-04-06');
  });
});

describe('bookings.cancel: the cutoff from the locked session row', () => {
  it('refuses to cancel (and refund) an RPC-made booking of a session 11 months past', async () => {
    const { contact, api } = await studentWith({ cs_credits: 0 });
    const examId = await insertExam(db, { startsInHours: -24 * 330 });
    const bookingId = await rpcShapedBooking(contact, examId);

    expect(await failure(api.bookings.cancel.mutate({ bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_CANCELLABLE',
      details: { cutoffHours: 24 },
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
  });

  it('refuses once a session moved earlier has started, though the booking’s copy still says next week', async () => {
    const { contact, api } = await studentWith({ cs_credits: 1 });
    const examId = await insertExam(db, { startsInHours: 24 * 7 });
    const { bookingId } = await api.bookings.create.mutate({ dominantHand: 'Right', examId });
    await db.query(
      "update hubspot_mock_exams set start_time = now() - interval '1 hour', end_time = now() + interval '2 hours' where hubspot_id = $1",
      [examId],
    );

    expect(await failure(api.bookings.cancel.mutate({ bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_CANCELLABLE',
    });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(0);
  });

  it('answers creditsRemaining for the session’s type when the booking’s copy has none', async () => {
    const { contact, api } = await studentWith({ cs_credits: 0, shared_mock_credits: 2 });
    const examId = await insertExam(db, { mockType: 'Clinical Skills', startsInHours: 24 * 10 });
    const bookingId = await rpcShapedBooking(contact, examId);

    await expect(api.bookings.cancel.mutate({ bookingId })).resolves.toMatchObject({
      status: 'Cancelled',
      creditRefunded: 'Clinical Skills Token',
      creditsRemaining: 3,
    });
  });
});
