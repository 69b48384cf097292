import { describe, expect, it } from 'vitest';
import { callerFailure, useCaller } from './helpers/caller';
import {
  balancesOf,
  detailsFor,
  insertBookingRow,
  insertContact,
  insertExam,
  newIdempotencyKey,
} from './helpers/factories';

/**
 * The booking rules of docs/DOMAIN.md, called in-process through createCallerFactory with the inner
 * context a job or a CLI builds: no HTTP, because the wire adds nothing to these. (The HTTP tests in
 * bookings.test.ts and validation.test.ts prove the wire contract.)
 */
const { db, as, anonymous } = useCaller();

describe('credit rules', () => {
  it.each([
    ['Situational Judgment', { sj_credits: 0, shared_mock_credits: 1 }, 'Shared Token', 'shared_mock_credits'],
    ['Clinical Skills', { cs_credits: 1, shared_mock_credits: 1 }, 'Clinical Skills Token', 'cs_credits'],
  ] as const)(
    '%s with %j spends a %s and a cancellation gives back exactly that',
    async (mockType, credits, token, column) => {
      const contact = await insertContact(db, credits);
      const examId = await insertExam(db, { mockType });
      const booking = await as(contact).bookings.create({ ...detailsFor(mockType), examId });
      expect(booking.tokenUsed).toBe(token);
      expect((await balancesOf(db, contact.contactId))[column]).toBe(0);
      const cancelled = await as(contact).bookings.cancel({ bookingId: booking.bookingId });
      expect(cancelled).toMatchObject({ status: 'Cancelled', creditRefunded: token });
      expect((await balancesOf(db, contact.contactId))[column]).toBe(1);
    },
  );

  it('a session whose type names an Object member ("constructor") is not bookable online, and nothing is spent', async () => {
    const contact = await insertContact(db, { cs_credits: 1, sj_credits: 1, shared_mock_credits: 1 });
    const examId = await insertExam(db, { mockType: 'constructor' });
    const failure = await callerFailure(as(contact).bookings.create({ dominantHand: 'Right', examId }));
    expect(failure).toMatchObject({ appCode: 'EXAM_NOT_BOOKABLE', details: { reason: 'unknown-type' } });
    expect(await balancesOf(db, contact.contactId)).toMatchObject({
      cs_credits: 1,
      sj_credits: 1,
      shared_mock_credits: 1,
    });
  });
});

describe('bookable rule', () => {
  it('a session without a start time is never bookable (reason "started")', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const examId = await insertExam(db);
    await db.query('update hubspot_mock_exams set start_time = null where hubspot_id = $1', [examId]);
    const failure = await callerFailure(as(contact).bookings.create({ dominantHand: 'Right', examId }));
    expect(failure).toMatchObject({ appCode: 'EXAM_NOT_BOOKABLE', details: { reason: 'started' } });
  });
});

describe('prerequisites', () => {
  it("another student's booking on a prerequisite does not count", async () => {
    const other = await insertContact(db, { cs_credits: 1 });
    const contact = await insertContact(db, { mock_discussion_token: 1 });
    const cs = await insertExam(db, { mockType: 'Clinical Skills', examDate: '2032-02-01' });
    await as(other).bookings.create({ dominantHand: 'Right', examId: cs });
    const discussion = await insertExam(db, { mockType: 'Mock Discussion', prerequisites: [cs] });
    const failure = await callerFailure(as(contact).bookings.create({ examId: discussion }));
    expect(failure).toMatchObject({ appCode: 'PREREQUISITES_NOT_MET', details: { missingExamIds: [cs] } });
  });
});

describe('idempotency', () => {
  it('a repeat of a served request answers with that booking even once the session is full', async () => {
    const contact = await insertContact(db, { cs_credits: 2 });
    const examId = await insertExam(db, { capacity: 1 });
    const idempotencyKey = newIdempotencyKey();
    const first = await as(contact).bookings.create({ dominantHand: 'Right', examId, idempotencyKey });
    expect(await as(contact).bookings.create({ dominantHand: 'Right', examId, idempotencyKey })).toEqual(first);
    const latecomer = await insertContact(db, { cs_credits: 1 });
    expect(await callerFailure(as(latecomer).bookings.create({ dominantHand: 'Right', examId }))).toMatchObject({
      appCode: 'EXAM_FULL',
      details: { capacity: 1 },
    });
  });
});

describe('cancellation', () => {
  it('cancels and refunds a booking whose session row has since gone', async () => {
    const contact = await insertContact(db, { cs_credits: 0 });
    const examId = await insertExam(db);
    const bookingId = await insertBookingRow(db, contact.contactId, examId);
    await db.query('delete from hubspot_mock_exams where hubspot_id = $1', [examId]);
    const cancelled = await as(contact).bookings.cancel({ bookingId });
    expect(cancelled).toMatchObject({ status: 'Cancelled', creditRefunded: 'Clinical Skills Token' });
    expect((await balancesOf(db, contact.contactId)).cs_credits).toBe(1);
  });

  it('a Completed booking is not cancellable, and says so in details', async () => {
    const contact = await insertContact(db);
    const examId = await insertExam(db);
    const bookingId = await insertBookingRow(db, contact.contactId, examId, { status: 'Completed', attendance: 'Yes' });
    expect(await callerFailure(as(contact).bookings.cancel({ bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_CANCELLABLE',
      details: { status: 'Completed' },
    });
  });
});

describe('my bookings', () => {
  it('a cursor it did not issue is named in fieldErrors, like a schema failure', async () => {
    const contact = await insertContact(db);
    expect(await callerFailure(as(contact).bookings.mine({ cursor: 'not-a-cursor' }))).toMatchObject({
      appCode: 'VALIDATION_FAILED',
      details: { field: 'cursor' },
      fieldErrors: { cursor: ['The cursor is not one this service issued.'] },
    });
  });
});

describe('students', () => {
  it('a valid session whose student row has gone reads UNAUTHENTICATED', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    await db.query('delete from hubspot_contact_credits where hubspot_id = $1', [contact.contactId]);
    expect(await callerFailure(as(contact).credits.mine())).toMatchObject({ appCode: 'UNAUTHENTICATED' });
  });

  it('login picks the oldest of two records with the same student ID and email, every time', async () => {
    const first = await insertContact(db, {}, { studentId: 'TWIN-1', email: 'twin@example.com' });
    await insertContact(db, {}, { studentId: 'TWIN-1', email: 'Twin@Example.com' });
    for (let i = 0; i < 3; i++) {
      const session = await anonymous().auth.login({ studentId: 'TWIN-1', email: 'twin@example.com' });
      expect(session.contact.contactId).toBe(first.contactId);
    }
  });
});
