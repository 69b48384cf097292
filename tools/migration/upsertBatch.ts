import type pg from 'pg';
import type { ColumnPlan } from './columnPlan';
import { hubspotIdOf, type RowProblem, type SourceRow } from './convertRow';
import { ident, qualified } from './sqlText';
import { CONSTRAINT_MEANINGS, type TargetRow } from './targetRules';

export const TARGET_SCHEMA = 'public';

export interface ConvertedRow {
  key: string | null;
  row: TargetRow;
  source: SourceRow;
}

export interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  problems: RowProblem[];
}

/**
 * Writes converted rows with one multi-row upsert per batch: the rows travel as one JSON parameter that
 * Postgres turns into the target's row type, so a batch costs one round trip whatever its size. An
 * existing row is updated only where something differs; the `id` of an existing row is never changed.
 */
function batchStatements(plan: ColumnPlan) {
  const table = qualified(TARGET_SCHEMA, plan.table);
  const columns = plan.columns.map((c) => ident(c.target));
  const key = ident(plan.key.target);
  const updatable = plan.columns
    .filter((c) => c.target !== plan.key.target && c.target !== 'id')
    .map((c) => ident(c.target));
  const rows = `json_populate_recordset(null::${table}, $1::json)`;
  const differs = (a: string, b: string) =>
    `(${updatable.map((c) => `${a}.${c}`).join(', ')}) is distinct from (${updatable.map((c) => `${b}.${c}`).join(', ')})`;
  const onConflict =
    updatable.length === 0
      ? 'do nothing'
      : `do update set (${updatable.join(', ')}) = row(${updatable.map((c) => `excluded.${c}`).join(', ')}) where ${differs('t', 'excluded')}`;
  return {
    upsert: `insert into ${table} as t (${columns.join(', ')}) select ${columns.join(', ')} from ${rows} on conflict (${key}) ${onConflict} returning (xmax = 0) as inserted`,
    /** What the upsert would do, read-only: for --dry-run. */
    classify:
      `select count(*) filter (where t.${key} is null)::int as inserts, ` +
      `count(*) filter (where t.${key} is not null and ${updatable.length === 0 ? 'false' : differs('t', 's')})::int as updates ` +
      `from ${rows} as s left join ${table} as t on t.${key} = s.${key}`,
  };
}

/** Errors that belong to one row's values (constraint, data, cardinality), as opposed to the run's. */
const isRowError = (err: unknown) => /^(22|23|21)/.test((err as { code?: string }).code ?? '');

export class BatchWriter {
  private readonly sql: ReturnType<typeof batchStatements>;

  constructor(
    private readonly target: pg.ClientBase,
    private readonly plan: ColumnPlan,
    private readonly constraintColumns: Map<string, string[]>,
  ) {
    this.sql = batchStatements(plan);
  }

  async dryRun(rows: ConvertedRow[]): Promise<BatchResult> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, problems: [] };
    const {
      rows: [r],
    } = await this.target.query<{ inserts: number; updates: number }>(this.sql.classify, [
      JSON.stringify(rows.map((c) => c.row)),
    ]);
    const inserted = r?.inserts ?? 0;
    const updated = r?.updates ?? 0;
    return { inserted, updated, unchanged: rows.length - inserted - updated, problems: [] };
  }

  async write(rows: ConvertedRow[]): Promise<BatchResult> {
    if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, problems: [] };
    await this.target.query('begin');
    try {
      const result = await this.target.query<{ inserted: boolean }>(this.sql.upsert, [
        JSON.stringify(rows.map((c) => c.row)),
      ]);
      await this.target.query('commit');
      return this.counts(rows.length, result.rows, []);
    } catch (err) {
      await this.target.query('rollback');
      if (!isRowError(err)) throw err;
    }
    return this.writeOneByOne(rows);
  }

  /** A batch Postgres refused: write its rows one at a time to find and report the ones it refuses. */
  private async writeOneByOne(rows: ConvertedRow[]): Promise<BatchResult> {
    const written: Array<{ inserted: boolean }> = [];
    const problems: RowProblem[] = [];
    await this.target.query('begin');
    try {
      for (const converted of rows) {
        await this.target.query('savepoint one_row');
        try {
          const result = await this.target.query<{ inserted: boolean }>(this.sql.upsert, [
            JSON.stringify([converted.row]),
          ]);
          written.push(...result.rows);
          await this.target.query('release savepoint one_row');
        } catch (err) {
          await this.target.query('rollback to savepoint one_row');
          if (!isRowError(err)) throw err;
          problems.push(this.problemFrom(err as pg.DatabaseError, converted));
        }
      }
      await this.target.query('commit');
    } catch (err) {
      await this.target.query('rollback');
      throw err;
    }
    return this.counts(rows.length - problems.length, written, problems);
  }

  private counts(attempted: number, returned: Array<{ inserted: boolean }>, problems: RowProblem[]): BatchResult {
    const inserted = returned.filter((r) => r.inserted).length;
    return { inserted, updated: returned.length - inserted, unchanged: attempted - returned.length, problems };
  }

  private problemFrom(err: pg.DatabaseError, converted: ConvertedRow): RowProblem {
    const targetColumns = err.column
      ? [err.column]
      : (err.constraint && this.constraintColumns.get(err.constraint)) || [];
    const sourceName = (target: string) => this.plan.columns.find((c) => c.target === target)?.source ?? target;
    const sourceColumns = targetColumns.map(sourceName);
    const value =
      sourceColumns.length === 1
        ? (converted.source[sourceColumns[0]!] ?? null)
        : Object.fromEntries(sourceColumns.map((c) => [c, converted.source[c] ?? null]));
    const meaning = err.constraint ? CONSTRAINT_MEANINGS[err.constraint] : undefined;
    const hubspotId = hubspotIdOf(this.plan, converted.source);
    return {
      table: this.plan.table,
      key: converted.key,
      ...(hubspotId === undefined ? {} : { hubspotId }),
      column: sourceColumns.join(',') || '(row)',
      value,
      reason: `${meaning ?? err.message}${err.constraint ? ` (${err.constraint})` : ''}`,
    };
  }
}
