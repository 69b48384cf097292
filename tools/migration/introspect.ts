import type pg from 'pg';
import type { ColumnInfo } from './columnTypes';
import { qualified } from './sqlText';

/** The catalog's view of a table: its columns (domains resolved to their base type) or undefined if absent. */
export async function readColumns(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ColumnInfo[] | undefined> {
  const { rows } = await client.query<{
    name: string;
    type: string;
    udt: string;
    is_enum: boolean;
    element_udt: string | null;
    element_is_enum: boolean | null;
    not_null: boolean;
  }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, bt.typname as udt, bt.typtype = 'e' as is_enum,
            et.typname as element_udt, et.typtype = 'e' as element_is_enum, a.attnotnull as not_null
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_type t on t.oid = a.atttypid
       join pg_type bt on bt.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
       left join pg_type et on et.oid = bt.typelem and bt.typcategory = 'A'
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  return rows.map((r) => ({
    name: r.name,
    type: r.type,
    udt: r.udt,
    isEnum: r.is_enum,
    elementUdt: r.element_udt,
    elementIsEnum: r.element_is_enum ?? false,
    notNull: r.not_null,
  }));
}

/** Primary-key columns in key order (empty when the table has none). */
export async function readPrimaryKey(client: pg.ClientBase, schema: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select a.attname as name
       from pg_index x
       join unnest(x.indkey) with ordinality as k(attnum, position) on true
       join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
      where x.indrelid = $1::regclass and x.indisprimary
      order by k.position`,
    [qualified(schema, table)],
  );
  return rows.map((r) => r.name);
}

/** Constraint and index names → their columns, to say which columns a refused row broke. */
export async function readConstraintColumns(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `select c.conname as name, array_agg(a.attname::text order by a.attnum) as columns
       from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.conrelid = $1::regclass group by c.conname
     union all
     select i.relname, array_agg(a.attname::text order by a.attnum)
       from pg_index x join pg_class i on i.oid = x.indexrelid
       join pg_attribute a on a.attrelid = x.indrelid and a.attnum = any (x.indkey)
      where x.indrelid = $1::regclass group by i.relname`,
    [qualified(schema, table)],
  );
  return new Map(rows.map((r) => [r.name, r.columns]));
}
