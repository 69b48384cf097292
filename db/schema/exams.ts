import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { auditColumns, sqlList, timestamptz } from './columns';
import { EXAM_STATUSES, type ExamStatus, type MockType } from './statuses';

/**
 * A session created here has the hubspot_id `mb-<uuid>` for good (HubSpot's own id of it, once pushed,
 * is in hubspot_object_id): the only place that says what such an id looks like.
 */
export const LOCAL_EXAM_ID_PREFIX = 'mb-';
export const isLocalExamId = (examId: string | null | undefined): examId is string =>
  examId?.startsWith(LOCAL_EXAM_ID_PREFIX) ?? false;

export const mockExams = pgTable(
  'hubspot_mock_exams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hubspotId: text('hubspot_id').notNull().unique(),
    mockType: text('mock_type').$type<MockType>().notNull(),
    mockSet: text('mock_set'),
    examDate: date('exam_date', { mode: 'string' }).notNull(),
    startTime: timestamptz('start_time'),
    endTime: timestamptz('end_time'),
    location: text('location'),
    capacity: integer('capacity').notNull().default(8),
    totalBookings: integer('total_bookings').notNull().default(0),
    isActive: text('is_active').$type<ExamStatus>().notNull().default('true'),
    scheduledActivationDatetime: timestamptz('scheduled_activation_datetime'),
    prerequisiteExamIds: text('prerequisite_exam_ids').array(),
    // Carried over from the live Supabase table (the PRD forgot it).
    mockExamName: text('mock_exam_name'),
    ...auditColumns,
    syncedAt: timestamptz('synced_at'),
    // Carried over from the live Supabase table: when the old HubSpot sync last wrote the row.
    hubspotLastSyncAt: timestamptz('hubspot_last_sync_at'),
    // HubSpot's id of a session created here. Such a session keeps its local `mb-<uuid>` hubspot_id for
    // good (bookings, waitlists, prerequisites, seat counters and clients already hold it); the sync maps
    // it to this id when it talks to HubSpot. Null for a session that came from HubSpot, whose
    // hubspot_id is HubSpot's own.
    hubspotObjectId: text('hubspot_object_id').unique(),
  },
  (t) => [
    index('idx_exams_date').on(t.examDate),
    index('idx_exams_active').on(t.isActive),
    check('hubspot_mock_exams_capacity_non_negative', sql`${t.capacity} >= 0`),
    check('hubspot_mock_exams_total_bookings_non_negative', sql`${t.totalBookings} >= 0`),
    check('hubspot_mock_exams_is_active_valid', sql.raw(`"is_active" in (${sqlList(EXAM_STATUSES)})`)),
    // A 'scheduled' session without an activation time could never open: reject it at the source.
    check(
      'hubspot_mock_exams_scheduled_has_activation',
      sql`${t.isActive} <> 'scheduled' or ${t.scheduledActivationDatetime} is not null`,
    ),
  ],
);
