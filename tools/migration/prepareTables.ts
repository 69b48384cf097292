import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { bookings, contactCredits, mockExams, syncMetadata } from '../../db/schema';
import { type ColumnPlan, planColumns } from './columnPlan';
import { readColumns, readPrimaryKey } from './introspect';
import { TABLE_MAPPINGS, type TableName } from './tableMappings';
import { TARGET_SCHEMA } from './upsertBatch';

export interface PreparedTable {
  plan: ColumnPlan;
  /** The source table's primary key, which pages are read by (empty: by physical row address). */
  primaryKey: string[];
}

export type Preparation = { ok: true; tables: PreparedTable[] } | { ok: false; problems: string[] };

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
  sourceSchema: string,
  tables: readonly TableName[],
  ignore: ReadonlyMap<TableName, ReadonlySet<string>>,
): Promise<Preparation> {
  const problems: string[] = [];
  const prepared: PreparedTable[] = [];
  for (const table of tables) {
    const [sourceColumns, targetColumns] = await Promise.all([
      readColumns(source, sourceSchema, table),
      readColumns(target, TARGET_SCHEMA, table),
    ]);
    if (!sourceColumns) {
      problems.push(
        `${table}: the source has no such table in schema "${sourceSchema}" (older deployments: --source-schema public; or leave it out with --tables)`,
      );
    }
    if (!targetColumns)
      problems.push(`${table}: the target database has no such table; run \`npm run db:migrate\` against it first`);
    if (!sourceColumns || !targetColumns) continue;
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
    prepared.push({ plan: planned.plan, primaryKey: await readPrimaryKey(source, sourceSchema, table) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tables: prepared };
}
