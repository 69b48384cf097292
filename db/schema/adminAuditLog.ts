import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';

/**
 * Every admin change, written in the same transaction as the change itself: who (the IdP subject
 * and email from the verified token, and the role it acted with), what, on which targets, the
 * values before and after, the reason given and the request id. Append-only: migration triggers
 * refuse UPDATE, DELETE and TRUNCATE, so no code path (nor a stray psql session) rewrites history.
 */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamptz('at').notNull().defaultNow(),
    adminSubject: text('admin_subject').notNull(),
    adminEmail: text('admin_email'),
    adminRole: text('admin_role').notNull(),
    /** The procedure that made the change, e.g. `exams.update`. */
    action: text('action').notNull(),
    /** `exam`, `booking` or `contact`. */
    targetType: text('target_type').notNull(),
    /** Session HubSpot ids, booking UUIDs or contact HubSpot ids. */
    targetIds: text('target_ids').array().notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    reason: text('reason'),
    requestId: text('request_id'),
  },
  (t) => [
    index('idx_admin_audit_at').on(t.at),
    index('idx_admin_audit_admin').on(t.adminSubject, t.at),
    index('idx_admin_audit_targets').using('gin', t.targetIds),
  ],
);
