import { createHash } from 'node:crypto';
import type { Executor } from '../client';

/** A drizzle query builder that can be prepared (selects, inserts, updates, deletes). */
interface Preparable<P> {
  toSQL(): { sql: string };
  prepare(name: string): P;
}

const preparedByDatabase = new WeakMap<Executor, Map<string, unknown>>();

/**
 * The query of this `shape`, built and prepared once per database handle, to be executed with its
 * placeholders' values. drizzle builds a query's SQL text on every call, and for the hot reads that
 * was most of their CPU: ~30 % of a bookings.mine request in issue 13's profile (`is()` checks,
 * parameter building). A prepared query has its text built once; each call only fills in the values
 * and maps the rows.
 *
 * `shape` names everything that changes the SQL text (which optional filters are present, the sort
 * order): two calls of one shape must build the same text, and only values may differ, as
 * placeholders. The statement's name comes from its text, so each pooled connection has Postgres plan
 * it once, and a text can never be sent under a name another text was prepared with (node-postgres
 * refuses that).
 */
export function preparedOnce<P>(db: Executor, shape: string, build: () => Preparable<P>): P {
  let prepared = preparedByDatabase.get(db);
  if (!prepared) {
    prepared = new Map();
    preparedByDatabase.set(db, prepared);
  }
  let query = prepared.get(shape) as P | undefined;
  if (!query) {
    const builder = build();
    const digest = createHash('sha1').update(builder.toSQL().sql).digest('hex').slice(0, 16);
    query = builder.prepare(`${shape.replace(/\W+/g, '_').slice(0, 40)}_${digest}`);
    prepared.set(shape, query);
  }
  return query;
}
