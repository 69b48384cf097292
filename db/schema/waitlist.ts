import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { auditColumns, sqlList, timestamptz } from './columns';
import { WAITLIST_STATUSES, type WaitlistStatus } from './statuses';

/**
 * Students queued for a full session (docs/DOMAIN.md "Waitlist"). Every change to a session's entries
 * runs under that session's row lock, the one bookings take, so the queue and the seats move together.
 */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The session's hubspot_id, as on hubspot_bookings. */
    associatedMockExam: text('associated_mock_exam').notNull(),
    /** The student's hubspot_id, as on hubspot_bookings. */
    associatedContactId: text('associated_contact_id').notNull(),
    /** The line's order: first come, first served (joins of one session are serialised by its row lock). */
    queueOrder: bigint('queue_order', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
    status: text('status').$type<WaitlistStatus>().notNull().default('waiting'),
    /** Booked straight away when a seat frees (if every rule holds), instead of being offered a hold. */
    autoBook: boolean('auto_book').notNull().default(true),
    /** The per-type details the booking will carry, validated at join (server/services/bookingDetails.ts). */
    dominantHand: text('dominant_hand'),
    attendingLocation: text('attending_location'),
    offeredAt: timestamptz('offered_at'),
    offerExpiresAt: timestamptz('offer_expires_at'),
    /** The booking the entry became. */
    bookingId: uuid('booking_id'),
    ...auditColumns,
  },
  (t) => [
    // One place in a session's line per student.
    uniqueIndex('waitlist_entries_one_queued_per_contact_exam')
      .on(t.associatedContactId, t.associatedMockExam)
      .where(sql`${t.status} in ('waiting', 'offered')`),
    index('idx_waitlist_exam_queue')
      .on(t.associatedMockExam, t.queueOrder)
      .where(sql`${t.status} in ('waiting', 'offered')`),
    index('idx_waitlist_contact').on(t.associatedContactId),
    // The sweep finds expired holds without scanning the history.
    index('idx_waitlist_offer_expiry').on(t.offerExpiresAt).where(sql`${t.status} = 'offered'`),
    check('waitlist_entries_status_valid', sql.raw(`"status" in (${sqlList(WAITLIST_STATUSES)})`)),
    check('waitlist_entries_offer_has_expiry', sql`${t.status} <> 'offered' or ${t.offerExpiresAt} is not null`),
    check('waitlist_entries_booked_has_booking', sql`${t.status} <> 'booked' or ${t.bookingId} is not null`),
  ],
);

export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;
