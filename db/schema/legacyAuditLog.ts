import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';

/**
 * The old system's `audit_log` (the old/new values of every change to bookings, sessions and
 * contacts: who refunded what), archived by `migrate:import` so that history survives the cutover.
 * Read-only: migration 0005 adds triggers that refuse UPDATE, DELETE and TRUNCATE. The whole source
 * row is kept as JSON (its layout is the old system's); the few columns beside it are for lookups.
 */
export const legacyAuditLog = pgTable(
  'legacy_audit_log',
  {
    /** The source row's id as text (or the md5 of the row, where the source has no id). */
    sourceKey: text('source_key').primaryKey(),
    tableName: text('table_name'),
    operation: text('operation'),
    recordId: text('record_id'),
    changedAt: timestamptz('changed_at'),
    row: jsonb('row').notNull(),
  },
  (t) => [index('idx_legacy_audit_record').on(t.tableName, t.recordId)],
);
