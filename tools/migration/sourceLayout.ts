import type pg from 'pg';
import { qualified } from './sqlText';

/** The old system's audit table: archived by the import, read by the token_refunded fill. */
export const AUDIT_TABLE = 'audit_log';

/**
 * Where each source table lives: the first schema of the search path (`--source-schema a,b`) that
 * has it. The live database keeps three tables in hubspot_sync and sync_metadata in public.
 */
export interface SourceLayout {
  searchPath: readonly string[];
  schemaOf: ReadonlyMap<string, string>;
}

export async function locateSourceTables(
  client: pg.ClientBase,
  searchPath: readonly string[],
  tables: readonly string[],
): Promise<SourceLayout> {
  const { rows } = await client.query<{ schema: string; table: string }>(
    `select n.nspname as schema, c.relname as table
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relname = any ($1::text[]) and n.nspname = any ($2::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
    [tables, searchPath],
  );
  const schemaOf = new Map<string, string>();
  for (const schema of searchPath)
    for (const row of rows) if (row.schema === schema && !schemaOf.has(row.table)) schemaOf.set(row.table, schema);
  return { searchPath, schemaOf };
}

export const sourceName = (layout: SourceLayout, table: string): string | undefined => {
  const schema = layout.schemaOf.get(table);
  return schema ? qualified(schema, table) : undefined;
};

/** The report's line per table: where it was read from. */
export const describeLayout = (layout: SourceLayout, tables: readonly string[]): string[] =>
  tables.map((t) => {
    const schema = layout.schemaOf.get(t);
    return `  ${t} ← ${schema ? `${schema}.${t}` : `(not found in ${layout.searchPath.join(', ')})`}`;
  });
