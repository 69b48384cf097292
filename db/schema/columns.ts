import { timestamp } from 'drizzle-orm/pg-core';

/** Every instant is stored as timestamptz (UTC on the wire); the school's zone is a display concern. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Bookkeeping columns shared by the HubSpot mirror tables. */
export const auditColumns = {
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at')
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** SQL list literal for a CHECK ... IN (...) built from a readonly tuple of allowed values. */
export const sqlList = (values: readonly string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
