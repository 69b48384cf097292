import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { bookings, contactCredits, mockExams, syncMetadata } from '../../db/schema';
import { type ColumnPlan, planColumns } from './columnPlan';
import type { ColumnInfo } from './columnTypes';
import { readColumns, readPrimaryKey } from './introspect';
import type { SourceLayout } from './sourceLayout';
import { TABLE_MAPPINGS, type TableName } from './tableMappings';
import { TARGET_SCHEMA } from './upsertBatch';

export interface PreparedTable {
  plan: ColumnPlan;
  /** The schema of the search path the table was found in. */
  schema: string;
  /** The source table's primary key, which pages are read by (empty: by physical row address). */
  primaryKey: string[];
}

export type Preparation =
  | { ok: true; tables: PreparedTable[]; sourceColumns: Map<string, ColumnInfo[]> }
  | { ok: false; problems: string[] };

const SCHEMA_TABLES: Record<TableName, PgTable> = {
  hubspot_contact_credits: contactCredits,
  hubspot_mock_exams: mockExams,
  hubspot_bookings: bookings,
  sync_metadata: syncMetadata,
};

const schemaColumnNames = (table: TableName) =>
  new Set(getTableConfig(SCHEMA_TABLES[table]).columns.map((c) => c.name));

/**
 * Reads both catalogs and pairs every column before a single row moves. Both commands stop here, with
 * every problem listed at once, when a source column has nowhere to go.
 */
export async function prepareTables(
  source: pg.ClientBase,
  target: pg.ClientBase,
  layout: SourceLayout,
  tables: readonly TableName[],
  ignore: ReadonlyMap<TableName, ReadonlySet<string>>,
): Promise<Preparation> {
  const problems: string[] = [];
  const prepared: PreparedTable[] = [];
  // Every located table's columns (not only the selected ones): the fills read sessions, contacts, audit_log.
  const allColumns = new Map<string, ColumnInfo[]>();
  for (const [table, schema] of layout.schemaOf) {
    const columns = await readColumns(source, schema, table);
    if (columns) allColumns.set(table, columns);
  }
  for (const table of tables) {
    const sourceSchema = layout.schemaOf.get(table);
    const sourceColumns = allColumns.get(table);
    const targetColumns = await readColumns(target, TARGET_SCHEMA, table);
    if (!sourceSchema || !sourceColumns) {
      problems.push(
        `${table}: the source has no such table in the schemas searched (${layout.searchPath.join(', ')}); ` +
          'name the schemas with --source-schema a,b (first match wins), or leave the table out with --tables',
      );
    }
    if (!targetColumns)
      problems.push(`${table}: the target database has no such table; run \`npm run db:migrate\` against it first`);
    if (!sourceSchema || !sourceColumns || !targetColumns) continue;
    const planned = planColumns({
      mapping: TABLE_MAPPINGS[table],
      source: sourceColumns,
      target: targetColumns,
      ignore: ignore.get(table) ?? new Set(),
      schemaColumns: schemaColumnNames(table),
    });
    if (!planned.ok) {
      problems.push(...planned.problems);
      continue;
    }
    prepared.push({
      plan: planned.plan,
      schema: sourceSchema,
      primaryKey: await readPrimaryKey(source, sourceSchema, table),
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tables: prepared, sourceColumns: allColumns };
}
