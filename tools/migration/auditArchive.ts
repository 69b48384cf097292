import type pg from 'pg';
import type { ColumnInfo } from './columnTypes';
import { requireRowsVisible } from './rowSecurity';
import { AUDIT_TABLE, type SourceLayout } from './sourceLayout';
import { ident, qualified } from './sqlText';
import { TARGET_SCHEMA } from './upsertBatch';

/**
 * The old system's audit_log (who changed, cancelled and refunded what) archived into the target's
 * read-only legacy_audit_log, so its history survives the cutover. Each source row is kept whole as
 * JSON (its layout is the old system's), keyed by its id; re-runs add new rows and never change one.
 */
const ARCHIVE = qualified(TARGET_SCHEMA, 'legacy_audit_log');
const TIME_COLUMNS = ['created_at', 'changed_at', 'performed_at', 'timestamp'];

export interface AuditSource {
  schema: string;
  columns: readonly ColumnInfo[];
}

export function auditSourceOf(
  layout: SourceLayout,
  columns: ReadonlyMap<string, readonly ColumnInfo[]>,
): AuditSource | undefined {
  const schema = layout.schemaOf.get(AUDIT_TABLE);
  const cols = columns.get(AUDIT_TABLE);
  return schema && cols ? { schema, columns: cols } : undefined;
}

function shape(audit: AuditSource) {
  const has = (name: string) => audit.columns.some((c) => c.name === name);
  const text = (name: string) => (has(name) ? `a.${ident(name)}::text` : 'null::text');
  const at = TIME_COLUMNS.find(has);
  const id = audit.columns.find((c) => c.name === 'id');
  return {
    relation: qualified(audit.schema, AUDIT_TABLE),
    key: id ? 'a.id::text' : 'md5(to_jsonb(a)::text)',
    /** Keyset pagination: by id where there is one, else by physical row address. */
    cursor: id ? { column: 'a.id', cast: id.type } : { column: 'a.ctid', cast: 'tid' },
    fields: `${text('table_name')} as table_name, ${text('operation')} as operation, ${text('record_id')} as record_id, ${at ? `a.${ident(at)}::timestamptz` : 'null::timestamptz'} as changed_at`,
  };
}

export interface AuditArchiveResult {
  source: string;
  read: number;
  inserted: number;
  seconds: number;
}

export async function archiveAuditLog(
  source: pg.ClientBase,
  target: pg.ClientBase,
  audit: AuditSource,
  options: { batch: number; dryRun: boolean },
): Promise<AuditArchiveResult> {
  const started = Date.now();
  const s = shape(audit);
  // The row as text: jsonb travels untouched (no JavaScript number rounding) and is parsed by the target.
  const select = `select ${s.cursor.column}::text as cursor, ${s.key} as source_key, ${s.fields}, to_jsonb(a)::text as row from ${s.relation} as a`;
  const order = `order by ${s.cursor.column} limit ${options.batch}`;
  let read = 0;
  let inserted = 0;
  let after: string | undefined;
  for (;;) {
    const { rows } = after
      ? await source.query(`${select} where ${s.cursor.column} > $1::${s.cursor.cast} ${order}`, [after])
      : await source.query(`${select} ${order}`);
    if (rows.length === 0) break;
    read += rows.length;
    after = rows.at(-1)?.cursor as string;
    if (!options.dryRun) {
      const batch = JSON.stringify(rows.map(({ cursor: _c, ...r }) => r));
      const result = await target.query(
        `insert into ${ARCHIVE} (source_key, table_name, operation, record_id, changed_at, row)
         select r.source_key, r.table_name, r.operation, r.record_id, r.changed_at, r.row::jsonb
           from jsonb_to_recordset($1::jsonb) as r(source_key text, table_name text, operation text, record_id text, changed_at timestamptz, row text)
         on conflict (source_key) do nothing`,
        [batch],
      );
      inserted += result.rowCount ?? 0;
    }
    if (rows.length < options.batch) break;
  }
  await requireRowsVisible(source, audit.schema, AUDIT_TABLE, read);
  return { source: `${audit.schema}.${AUDIT_TABLE}`, read, inserted, seconds: (Date.now() - started) / 1000 };
}

export interface AuditArchiveCheck {
  source: string;
  sourceRows: number;
  archivedRows: number;
  /** Every source row is archived exactly as it is (sum of per-row digests over the whole JSON row). */
  same: boolean;
}

const digestSum = (row: string) =>
  `coalesce(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint), 0)::text || '.' || ` +
  `coalesce(sum(('x' || substr(md5(${row}), 16, 15))::bit(60)::bigint), 0)::text`;

export async function checkAuditArchive(
  source: pg.ClientBase,
  target: pg.ClientBase,
  audit: AuditSource,
): Promise<AuditArchiveCheck> {
  const s = shape(audit);
  const [a, b] = await Promise.all([
    source.query<{ n: number; h: string }>(
      `select count(*)::int as n, ${digestSum('to_jsonb(a)::text')} as h from ${s.relation} as a`,
    ),
    target.query<{ n: number; h: string }>(
      `select count(*)::int as n, ${digestSum('t.row::text')} as h from ${ARCHIVE} as t`,
    ),
  ]);
  const [from, to] = [a.rows[0]!, b.rows[0]!];
  return {
    source: `${audit.schema}.${AUDIT_TABLE}`,
    sourceRows: from.n,
    archivedRows: to.n,
    same: from.n === to.n && from.h === to.h,
  };
}
