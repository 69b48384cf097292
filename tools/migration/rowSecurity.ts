import type pg from 'pg';
import type { SourceLayout } from './sourceLayout';
import { qualified } from './sqlText';

/**
 * Row-level security must never empty a migration silently: a role the policies filter reads zero rows
 * without an error. Three guards: the source session runs with `row_security = off` (connections.ts),
 * so a filtered read raises an error instead; before reading, a table with RLS enabled must be read by
 * its owner (and not FORCEd) or a superuser / BYPASSRLS role; and a table the planner believes
 * non-empty that reads as 0 rows stops the run (rowsVisible).
 */
export class RowSecurityError extends Error {}

interface TableSecurity {
  schema: string;
  table: string;
  rls: boolean;
  forced: boolean;
  owner: string;
  isOwner: boolean;
}

/** The catalog query docs/MIGRATION.md shows an operator, as the tool runs it. */
export const ROW_SECURITY_QUERY = `select n.nspname as schema, c.relname as table, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
       pg_get_userbyid(c.relowner) as owner, pg_has_role(current_user, c.relowner, 'USAGE') as is_owner
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where (n.nspname, c.relname) in (select * from unnest($1::text[], $2::text[]))`;

/** Why the connected role could not read every row of every located table, or [] when it can. */
export async function rowSecurityProblems(client: pg.ClientBase, layout: SourceLayout): Promise<string[]> {
  const located = [...layout.schemaOf];
  const [{ rows: me }, { rows }] = await Promise.all([
    client.query<{ role: string; bypass: boolean }>(
      'select current_user as role, (rolsuper or rolbypassrls) as bypass from pg_roles where rolname = current_user',
    ),
    client.query<TableSecurity>(ROW_SECURITY_QUERY, [located.map(([, s]) => s), located.map(([t]) => t)]),
  ]);
  const role = me[0]?.role ?? '(unknown)';
  if (me[0]?.bypass) return [];
  return rows
    .filter((t) => t.rls && (!t.isOwner || t.forced))
    .map(
      (t) =>
        `${t.schema}.${t.table}: row-level security is enabled${t.forced ? ' and forced' : ''} and role "${role}" ` +
        `${t.isOwner ? 'owns it, but FORCE applies the policies to the owner too' : `is not its owner ("${t.owner}")`} ` +
        'and has no BYPASSRLS: it would read only the rows the policies let it see (often none). ' +
        'Connect as the table owner or a role with BYPASSRLS (docs/MIGRATION.md, "The source connection").',
    );
}

/**
 * A table the planner's statistics say holds rows, read as empty: RLS (or a view over it) hiding rows
 * is far likelier than a table emptied since the last ANALYZE, so the run stops rather than copy
 * (or verify) nothing. `ANALYZE` the table if it really is empty.
 */
export async function requireRowsVisible(
  client: pg.ClientBase,
  schema: string,
  table: string,
  counted: number,
): Promise<void> {
  if (counted > 0) return;
  const { rows } = await client.query<{ estimate: number }>(
    'select greatest(c.reltuples, 0)::bigint::int as estimate from pg_class c where c.oid = $1::regclass',
    [qualified(schema, table)],
  );
  const estimate = rows[0]?.estimate ?? 0;
  if (estimate > 0)
    throw new RowSecurityError(
      `${schema}.${table} reads as 0 rows, but the planner estimates about ${estimate}: row-level security ` +
        '(or a view) may be hiding them from this role. Connect as the table owner or a BYPASSRLS role; ' +
        `if the table really is empty, run ANALYZE ${schema}.${table} and try again.`,
    );
}
