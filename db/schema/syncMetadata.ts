import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { auditColumns, timestamptz } from './columns';

export const syncMetadata = pgTable('sync_metadata', {
  id: uuid('id').primaryKey().defaultRandom(),
  syncType: text('sync_type').notNull().unique(),
  lastSyncTime: timestamptz('last_sync_time'),
  lastModifiedTime: timestamptz('last_modified_time'),
  recordsSynced: integer('records_synced').notNull().default(0),
  ...auditColumns,
});
