import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './columns';
import type { CreditBalances } from './credits';

/**
 * The three-way merge of credits (docs/SYNC.md): per contact, the HubSpot values this service has
 * absorbed (`base`), and while a push is in flight the values it is writing (`pending`) with the
 * outbox rows that write delivers. A HubSpot change is `HubSpot now - base`, applied here as a
 * delta; a change here is the sum of the outbox deltas, added to HubSpot's current value.
 */
export const syncCreditBase = pgTable('sync_credit_base', {
  contactId: text('contact_id').primaryKey(),
  base: jsonb('base').$type<CreditBalances>().notNull(),
  pending: jsonb('pending').$type<{ target: Partial<CreditBalances>; outboxIds: number[] }>(),
  updatedAt: timestamptz('updated_at')
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});
