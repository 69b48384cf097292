import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { sqlList, timestamptz } from './columns';

/** The HubSpot objects a change here can concern; `object_id` is our booking UUID or the HubSpot id. */
export const OUTBOX_OBJECTS = ['booking', 'contact', 'exam'] as const;
export type OutboxObject = (typeof OUTBOX_OBJECTS)[number];

/**
 * The transactional outbox (docs/SYNC.md): one row per change HubSpot must learn about, written in the
 * same transaction as the change, so a rollback leaves no row and a commit leaves one whatever happens
 * to the process next. `id` orders the changes of one object: every writer inserts its row while
 * holding that object's row lock, so two changes of one object get ids in commit order.
 */
export const syncOutbox = pgTable(
  'sync_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    objectType: text('object_type').$type<OutboxObject>().notNull(),
    objectId: text('object_id').notNull(),
    change: text('change').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    deliveredAt: timestamptz('delivered_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    // What the pusher reads: the undelivered changes, per object in order.
    index('sync_outbox_pending').on(t.objectType, t.objectId, t.id).where(sql`${t.deliveredAt} is null`),
    index('sync_outbox_created').on(t.createdAt),
    check('sync_outbox_object_type_valid', sql.raw(`"object_type" in (${sqlList(OUTBOX_OBJECTS)})`)),
  ],
);
