import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { auditColumns, timestamptz } from './columns';

const credit = (name: string) => integer(name).notNull().default(0);

export const contactCredits = pgTable(
  'hubspot_contact_credits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    hubspotId: text('hubspot_id').notNull().unique(),
    studentId: text('student_id'),
    email: text('email'),
    firstname: text('firstname'),
    lastname: text('lastname'),
    studentName: text('student_name'),
    sjCredits: credit('sj_credits'),
    csCredits: credit('cs_credits'),
    sjminiCredits: credit('sjmini_credits'),
    mockDiscussionToken: credit('mock_discussion_token'),
    sharedMockCredits: credit('shared_mock_credits'),
    // Carried over from the live Supabase table (the PRD forgot it); free text there, kept as is.
    ndeccExamDate: text('ndecc_exam_date'),
    ...auditColumns,
    syncedAt: timestamptz('synced_at'),
    // Carried over from the live Supabase table: when the old HubSpot sync last wrote the row.
    hubspotLastSyncAt: timestamptz('hubspot_last_sync_at'),
  },
  (t) => [
    index('idx_contacts_email').on(t.email),
    index('idx_contacts_student').on(t.studentId),
    // Login matches the email case-insensitively; this keeps that lookup an index scan.
    index('idx_contacts_email_lower').on(sql`lower(${t.email})`),
    check(
      'hubspot_contact_credits_non_negative',
      sql`${t.sjCredits} >= 0 and ${t.csCredits} >= 0 and ${t.sjminiCredits} >= 0 and ${t.mockDiscussionToken} >= 0 and ${t.sharedMockCredits} >= 0`,
    ),
  ],
);
