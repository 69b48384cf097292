import { sql } from 'drizzle-orm';
import { boolean, check, date, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { auditColumns, sqlList, timestamptz } from './columns';
import {
  ATTENDANCE_VALUES,
  type Attendance,
  BOOKING_STATUSES,
  type BookingStatus,
  type MockType,
  TOKEN_TYPES,
  type TokenType,
} from './statuses';

export const bookings = pgTable(
  'hubspot_bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hubspotId: text('hubspot_id').unique(),
    bookingId: text('booking_id'),
    idempotencyKey: text('idempotency_key').unique(),
    associatedContactId: text('associated_contact_id').notNull(),
    associatedMockExam: text('associated_mock_exam').notNull(),
    studentId: text('student_id'),
    name: text('name'),
    studentEmail: text('student_email'),
    isActive: text('is_active').$type<BookingStatus>().notNull().default('Active'),
    examDate: date('exam_date', { mode: 'string' }),
    startTime: timestamptz('start_time'),
    endTime: timestamptz('end_time'),
    mockType: text('mock_type').$type<MockType>(),
    mockSet: text('mock_set'),
    tokenUsed: text('token_used').$type<TokenType>(),
    dominantHand: text('dominant_hand'),
    attendingLocation: text('attending_location'),
    attendance: text('attendance').$type<Attendance>(),
    tokenRefunded: boolean('token_refunded').notNull().default(false),
    // Added for cancellations (the live Supabase table already has token_refunded_at).
    tokenRefundedAt: timestamptz('token_refunded_at'),
    cancelledAt: timestamptz('cancelled_at'),
    cancellationReason: text('cancellation_reason'),
    // Carried over from the live Supabase table, which has them and the PRD forgot them.
    bookingStatus: text('booking_status'),
    tokenRefundAdmin: text('token_refund_admin'),
    ndeccExamDate: text('ndecc_exam_date'),
    ...auditColumns,
    syncedAt: timestamptz('synced_at'),
    // Carried over from the live Supabase table: when the old HubSpot sync last wrote the row.
    hubspotLastSyncAt: timestamptz('hubspot_last_sync_at'),
  },
  (t) => [
    index('idx_bookings_contact').on(t.associatedContactId),
    index('idx_bookings_exam').on(t.associatedMockExam),
    index('idx_bookings_date').on(t.examDate),
    // One seat per student per session, on two NOT NULL columns so no row can slip past it. The wider
    // rule (one per exam date and mock type, by the sessions' own type and date, not these copies, which
    // the old booking RPC left NULL) is checked under the student's row lock (bookInTransaction).
    uniqueIndex('hubspot_bookings_one_active_per_contact_exam')
      .on(t.associatedContactId, t.associatedMockExam)
      .where(sql`${t.isActive} <> 'Cancelled'`),
    check('hubspot_bookings_is_active_valid', sql.raw(`"is_active" in (${sqlList(BOOKING_STATUSES)})`)),
    check('hubspot_bookings_attendance_valid', sql.raw(`"attendance" in (${sqlList(ATTENDANCE_VALUES)})`)),
    check('hubspot_bookings_token_used_valid', sql.raw(`"token_used" in (${sqlList(TOKEN_TYPES)})`)),
    // A refund only ever follows a cancellation.
    check('hubspot_bookings_refund_only_when_cancelled', sql`not ${t.tokenRefunded} or ${t.isActive} = 'Cancelled'`),
  ],
);

export type NewBookingRow = typeof bookings.$inferInsert;
