import type pg from 'pg';
import type { ColumnPlan } from './columnPlan';
import type { SourceRow } from './convertRow';
import { ident, qualified } from './sqlText';

/**
 * Reads a source table in key order, one bounded page at a time (keyset pagination on the primary key,
 * or on the physical row address when a table has none), every value as text so that no driver-side
 * parsing can shift it.
 */
export interface SourcePage {
  rows: SourceRow[];
  /** Where the next page starts, or undefined after the last page. */
  next: string[] | undefined;
}

export function sourcePager(
  source: pg.ClientBase,
  /** The filled source relation (sourceFills.ts): SQL usable after FROM. */
  relation: string,
  plan: ColumnPlan,
  primaryKey: string[],
  batch: number,
) {
  const cursor = primaryKey.length > 0 ? primaryKey.map(ident) : ['ctid'];
  const cursorCasts = primaryKey.length > 0 ? cursor.map(() => '') : ['::tid'];
  const columns = plan.columns.map(
    (c) => `t.${ident(c.source)}::${c.category === 'textArray' ? 'text[]' : 'text'} as ${ident(c.source)}`,
  );
  const select = `select ${cursor.map((c, i) => `t.${c}::text as "__cursor_${i}"`).join(', ')}, ${columns.join(', ')} from ${relation} as t`;
  const order = `order by ${cursor.map((c) => `t.${c}`).join(', ')} limit ${batch}`;
  const after = `where (${cursor.map((c) => `t.${c}`).join(', ')}) > (${cursor.map((_, i) => `$${i + 1}${cursorCasts[i]}`).join(', ')})`;

  return async function page(from: string[] | undefined): Promise<SourcePage> {
    const { rows } = from
      ? await source.query<SourceRow>(`${select} ${after} ${order}`, from)
      : await source.query<SourceRow>(`${select} ${order}`);
    const last = rows.at(-1);
    const next = rows.length === batch && last ? cursor.map((_, i) => last[`__cursor_${i}`] as string) : undefined;
    return { rows, next };
  };
}

/** Values of the identifying column that more than one source row carries (the target keeps one row per value). */
export async function duplicateKeys(
  source: pg.ClientBase,
  relation: string,
  plan: ColumnPlan,
): Promise<Map<string, number>> {
  const key = `t.${ident(plan.key.source)}`;
  const { rows } = await source.query<{ key: string; n: number }>(
    `select ${key}::text as key, count(*)::int as n from ${relation} as t where ${key} is not null group by 1 having count(*) > 1`,
  );
  return new Map(rows.map((r) => [r.key, r.n]));
}

export async function countRows(client: pg.ClientBase, schema: string, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${qualified(schema, table)}`);
  return Number(rows[0]?.n ?? 0);
}
