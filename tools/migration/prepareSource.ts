import type pg from 'pg';
import type { ColumnInfo } from './columnTypes';
import { type DuplicateGroup, findDuplicateSeats, losersOf } from './duplicates';
import { type PreparedTable, prepareTables } from './prepareTables';
import { rowSecurityProblems } from './rowSecurity';
import { countFills, type FillContext, type FillCount, type FilledTable, filledTable } from './sourceFills';
import { AUDIT_TABLE, locateSourceTables, type SourceLayout } from './sourceLayout';
import { TABLE_NAMES, type TableName } from './tableMappings';

export interface SourceTable extends PreparedTable {
  filled: FilledTable;
}

export type SourcePreparation =
  | {
      ok: true;
      layout: SourceLayout;
      tables: SourceTable[];
      fills: FillCount[];
      duplicates: DuplicateGroup[];
      /** Catalog columns of every located source table (audit_log included). */
      columns: ReadonlyMap<string, readonly ColumnInfo[]>;
    }
  | { ok: false; layout: SourceLayout; problems: string[] };

/**
 * Everything both commands settle before a row moves, the same way: where each table lives (search
 * path), that row-level security cannot hide rows, that every column lines up, the documented fills,
 * and the duplicate seats (found after the fills, resolved before writing).
 */
export async function prepareSource(
  source: pg.ClientBase,
  target: pg.ClientBase,
  options: {
    sourceSchemas: readonly string[];
    tables: readonly TableName[];
    ignore: ReadonlyMap<TableName, ReadonlySet<string>>;
  },
): Promise<SourcePreparation> {
  const layout = await locateSourceTables(source, options.sourceSchemas, [...TABLE_NAMES, AUDIT_TABLE]);
  const rls = await rowSecurityProblems(source, layout);
  if (rls.length > 0) return { ok: false, layout, problems: rls };
  const prepared = await prepareTables(source, target, layout, options.tables, options.ignore);
  if (!prepared.ok) return { ok: false, layout, problems: prepared.problems };

  const context: FillContext = {
    layout,
    columns: prepared.sourceColumns,
    losers: [],
    bookingsInRun: options.tables.includes('hubspot_bookings'),
  };
  const duplicates = context.bookingsInRun
    ? await findDuplicateSeats(source, filledTable(context, 'hubspot_bookings'))
    : [];
  const withLosers = { ...context, losers: losersOf(duplicates) };
  const tables = prepared.tables.map((t) => ({ ...t, filled: filledTable(withLosers, t.plan.table) }));
  const fills: FillCount[] = [];
  for (const t of tables) fills.push(...(await countFills(source, t.filled)));
  return { ok: true, layout, tables, fills, duplicates, columns: prepared.sourceColumns };
}

export function describeFills(fills: readonly FillCount[]): string[] {
  const applied = fills.filter((f) => f.rows > 0);
  if (applied.length === 0) return ['  none applied'];
  return applied.map((f) => `  ${f.rows} × ${f.table}.${f.column}: ${f.description}`);
}
