import { describe, expect, it } from 'vitest';
import { callerFailure, useCaller } from './helpers/caller';
import { insertContact, insertExam } from './helpers/factories';

/**
 * The transactional outbox (docs/SYNC.md): a booking or a cancellation and the changes HubSpot must
 * learn about commit together or not at all.
 */
const { db, as } = useCaller();

const outboxOf = async (...objectIds: string[]) =>
  (
    await db.query(
      `select object_type, object_id, change, payload from sync_outbox
        where object_id = any($1) and delivered_at is null order by id`,
      [objectIds],
    )
  ).rows;

describe('transactional outbox', () => {
  it('a booking records the booking, the credit spent (as a delta) and the session count, in order', async () => {
    const contact = await insertContact(db, { cs_credits: 2 });
    const examId = await insertExam(db);
    const booking = await as(contact).bookings.create({ dominantHand: 'Right', examId });
    expect(await outboxOf(booking.bookingId, contact.contactId, examId)).toEqual([
      { object_type: 'booking', object_id: booking.bookingId, change: 'created', payload: null },
      {
        object_type: 'contact',
        object_id: contact.contactId,
        change: 'credits',
        payload: { column: 'csCredits', delta: -1 },
      },
      { object_type: 'exam', object_id: examId, change: 'total_bookings', payload: null },
    ]);
  });

  it('a cancellation records the cancellation, the refund and the count after the booking, per object in order', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const examId = await insertExam(db);
    const booking = await as(contact).bookings.create({ dominantHand: 'Right', examId });
    await as(contact).bookings.cancel({ bookingId: booking.bookingId });
    const rows = await outboxOf(booking.bookingId, contact.contactId, examId);
    expect(rows.filter((r) => r.object_type === 'booking').map((r) => r.change)).toEqual(['created', 'cancelled']);
    expect(rows.filter((r) => r.object_type === 'contact').map((r) => r.payload.delta)).toEqual([-1, 1]);
    expect(rows.filter((r) => r.object_type === 'exam')).toHaveLength(2);
  });

  it('a refused booking leaves no outbox row', async () => {
    const contact = await insertContact(db, { cs_credits: 0 });
    const examId = await insertExam(db);
    const failure = await callerFailure(as(contact).bookings.create({ dominantHand: 'Right', examId }));
    expect(failure.appCode).toBe('INSUFFICIENT_CREDITS');
    expect(await outboxOf(contact.contactId, examId)).toEqual([]);
  });

  it('when the outbox write fails the booking rolls back with it: no booking, no credit spent', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const examId = await insertExam(db);
    // A trigger that refuses this session's outbox row stands in for any failure at that point.
    await db.query(`create or replace function refuse_outbox() returns trigger language plpgsql as $$
      begin if new.object_id = '${examId}' then raise exception 'outbox refused'; end if; return new; end $$`);
    await db.query(
      'create trigger refuse_outbox before insert on sync_outbox for each row execute function refuse_outbox()',
    );
    try {
      await callerFailure(as(contact).bookings.create({ dominantHand: 'Right', examId }));
    } finally {
      await db.query('drop trigger refuse_outbox on sync_outbox');
    }
    const booked = await db.query('select count(*)::int as n from hubspot_bookings where associated_mock_exam = $1', [
      examId,
    ]);
    expect(booked.rows[0].n).toBe(0);
    const credits = await db.query('select cs_credits from hubspot_contact_credits where hubspot_id = $1', [
      contact.contactId,
    ]);
    expect(credits.rows[0].cs_credits).toBe(1);
    expect(await outboxOf(contact.contactId, examId)).toEqual([]);
  });
});
