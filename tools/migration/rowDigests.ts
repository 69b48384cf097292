import type pg from 'pg';
import type { ColumnPlan } from './columnPlan';
import { normalizedKey, normalizedRow, rowDigest, type Side } from './normalizeSql';
import { ident, qualified } from './sqlText';
import { TARGET_SCHEMA } from './upsertBatch';

/**
 * Verify's SQL, the same on both sides but for how columns are normalized: per-row digests, grouped
 * into buckets by a prefix of md5(key) (so both sides cut the key space identically, whatever their
 * collations), then only the rows of buckets that differ.
 */
export interface Bucket {
  rows: number;
  hash: string;
}

export interface DrilledRow {
  key: string;
  /** The row's hubspot_id where the key is our own id (bookings), for the operator. */
  hubspotId: string | null;
  digest: string;
  /** The normalized row: a JSON array in digestColumns() order. */
  values: string;
}

/** What a side reads: the source's filled relation (sourceFills.ts), or the target table. */
const fromOf = (plan: ColumnPlan, side: Side, sourceRelation: string) =>
  side === 'source' ? sourceRelation : qualified(TARGET_SCHEMA, plan.table);

function hubspotIdColumn(plan: ColumnPlan, side: Side): string {
  const column = plan.key.target === 'hubspot_id' ? undefined : plan.columns.find((c) => c.target === 'hubspot_id');
  return column ? `t.${ident(side === 'source' ? column.source : column.target)}::text` : 'null::text';
}

function digestedRows(plan: ColumnPlan, side: Side, sourceRelation: string) {
  return `select ${normalizedKey(plan, side)} as k, ${hubspotIdColumn(plan, side)} as h, ${rowDigest(plan, side)} as d, ${normalizedRow(plan, side)}::text as v from ${fromOf(plan, side, sourceRelation)} as t`;
}

/** How many hex digits of md5(key) name a bucket: about 64+ rows per bucket, at most 65,536 buckets. */
export function bucketPrefixLength(rows: number): number {
  return Math.min(4, Math.max(1, Math.ceil(Math.log(Math.max(rows, 1) / 64) / Math.log(16))));
}

/**
 * Per bucket: its row count and the sum of its rows' digests (two 60-bit slices of each md5). A sum
 * needs no ordering, so Postgres aggregates in one hashed pass; `offset 0` keeps each row's digest
 * computed once.
 */
export async function bucketDigests(
  client: pg.ClientBase,
  plan: ColumnPlan,
  side: Side,
  sourceRelation: string,
  prefix: number,
): Promise<Map<string, Bucket>> {
  const table = fromOf(plan, side, sourceRelation);
  const slice = (from: number) => `sum(('x' || substr(r.d, ${from}, 15))::bit(60)::bigint)`;
  const { rows } = await client.query<{ b: string; n: number; h: string }>(
    `select substr(md5(r.k), 1, ${prefix}) as b, count(*)::int as n, ${slice(1)}::text || '.' || ${slice(16)}::text as h
       from (select ${normalizedKey(plan, side)} as k, ${rowDigest(plan, side)} as d from ${table} as t offset 0) as r
      where r.k is not null group by 1`,
  );
  return new Map(rows.map((r) => [r.b, { rows: r.n, hash: r.h }]));
}

export async function rowsInBuckets(
  client: pg.ClientBase,
  plan: ColumnPlan,
  side: Side,
  sourceRelation: string,
  prefix: number,
  buckets: string[],
): Promise<DrilledRow[]> {
  const { rows } = await client.query<{ k: string; h: string | null; d: string; v: string }>(
    `select r.k, r.h, r.d, r.v from (${digestedRows(plan, side, sourceRelation)} offset 0) as r where r.k is not null and substr(md5(r.k), 1, ${prefix}) = any ($1::text[])`,
    [buckets],
  );
  return rows.map((r) => ({ key: r.k, hubspotId: r.h, digest: r.d, values: r.v }));
}

/** Rows whose identifying column is NULL: they cannot be matched, so each one is a difference. */
export async function rowsWithoutKey(
  client: pg.ClientBase,
  plan: ColumnPlan,
  side: Side,
  sourceRelation: string,
): Promise<number> {
  const table = fromOf(plan, side, sourceRelation);
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from ${table} as t where ${normalizedKey(plan, side)} is null`,
  );
  return rows[0]?.n ?? 0;
}
