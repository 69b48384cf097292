import type pg from 'pg';
import type { ColumnInfo } from './columnTypes';
import { AUDIT_TABLE, type SourceLayout } from './sourceLayout';
import { ident, literal, qualified } from './sqlText';
import type { TableName } from './tableMappings';

/**
 * The documented fills (docs/MIGRATION.md "Fills"): values the live tables lack or spell the legacy
 * way, filled by rules written once, here, as SQL over the source. Import pages through the filled
 * relation and verify digests the very same relation, so both apply them identically; each fill is
 * counted for the report. A fill never changes a value the target could take as it is, except the
 * legacy spellings, the duplicate seats and the recounted total_bookings, which are the point.
 */
export interface Fill {
  column: string;
  description: string;
  /** SQL condition over the filled relation (alias `t`): this row was changed by the fill. */
  changed: string;
}

export interface FilledTable {
  table: TableName;
  /** SQL usable after FROM (give it an alias): the source table with every fill applied. */
  relation: string;
  fills: Fill[];
}

/** What the fills need to know about the source. */
export interface FillContext {
  layout: SourceLayout;
  /** Catalog columns of every located source table, audit_log included. */
  columns: ReadonlyMap<string, readonly ColumnInfo[]>;
  /** Booking ids that lose their seat to an earlier duplicate (duplicates.ts); they import as Cancelled. */
  losers: readonly string[];
  /** Whether hubspot_bookings is part of this run: only then is total_bookings recounted from it. */
  bookingsInRun: boolean;
}

const CREDIT_COLUMNS = ['sj_credits', 'cs_credits', 'sjmini_credits', 'mock_discussion_token', 'shared_mock_credits'];
const AUDIT_TIME_COLUMNS = ['created_at', 'changed_at', 'performed_at', 'timestamp'];
const c = (column: string, alias = 't') => `${alias}.${ident(column)}`;
const raw = (column: string) => ident(`__raw_${column}`);

/** Legacy booking statuses ('active', 'cancelled') → the target's spelling; anything else as it is. */
export const bookingStatusSql = (x: string) =>
  `(case lower(${x}::text) when 'active' then 'Active' when 'cancelled' then 'Cancelled' when 'completed' then 'Completed' else ${x}::text end)`;
const examStatusSql = (x: string) =>
  `(case lower(${x}::text) when 'active' then 'true' when 'inactive' then 'false' else ${x}::text end)`;
const handSql = (x: string) =>
  `(case when lower(btrim(${x}::text)) in ('true', 'right', 'right hand') then 'Right' ` +
  `when lower(btrim(${x}::text)) in ('false', 'left', 'left hand') then 'Left' else ${x}::text end)`;
/** An all-lower-case location ('toronto') in the capitalisation the sessions use ('Toronto'). */
const locationSql = (x: string) =>
  `(case when ${x}::text = lower(${x}::text) then initcap(${x}::text) else ${x}::text end)`;
const losersSql = (losers: readonly string[]) => `${literal(`{${losers.join(',')}}`)}::text[]`;

class Columns {
  constructor(
    private readonly ctx: FillContext,
    readonly table: string,
  ) {}
  private get list() {
    return this.ctx.columns.get(this.table) ?? [];
  }
  has = (name: string) => this.list.some((col) => col.name === name);
  typeOf = (name: string) => this.list.find((col) => col.name === name)?.type;
  get names() {
    return this.list.map((col) => col.name);
  }
}

/** The audit log as far as the fills can use it: located, with the columns they read. */
function auditOf(ctx: FillContext) {
  const schema = ctx.layout.schemaOf.get(AUDIT_TABLE);
  const cols = new Columns(ctx, AUDIT_TABLE);
  const at = AUDIT_TIME_COLUMNS.find(cols.has);
  const needed = ['table_name', 'operation', 'record_id', 'old_values', 'new_values'];
  if (!schema || !at || !needed.every(cols.has)) return undefined;
  const relation = qualified(schema, AUDIT_TABLE);
  const forTable = (table: string) => {
    const tableSchema = ctx.layout.schemaOf.get(table) ?? '';
    return `a.table_name::text in (${literal(table)}, ${literal(`${tableSchema}.${table}`)})`;
  };
  return { relation, at: c(at, 'a'), forTable };
}

interface Override {
  expression: string;
  description: string;
  changed?: string;
}

/** Builds one table's filled relation from its overrides, joins and hidden helper columns. */
function relationOf(
  ctx: FillContext,
  table: TableName,
  overrides: Map<string, Override>,
  joins: string[],
  hidden: string[],
  extraFills: Fill[],
): FilledTable {
  const cols = new Columns(ctx, table);
  const schema = ctx.layout.schemaOf.get(table)!;
  const select = cols.names.map((name) => {
    const o = overrides.get(name);
    return o ? `(${o.expression})::${cols.typeOf(name)} as ${ident(name)}, ${c(name)} as ${raw(name)}` : c(name);
  });
  const relation = `(select ${[...select, 't.ctid as ctid', ...hidden].join(', ')} from ${qualified(schema, table)} as t ${joins.join(' ')})`;
  const fills = [
    ...[...overrides].map(([column, o]) => ({
      column,
      description: o.description,
      changed: o.changed ?? `t.${raw(column)} is distinct from ${c(column)}`,
    })),
    ...extraFills,
  ];
  return { table, relation, fills };
}

/** created_at / updated_at the booking RPC, admin overrides and the first HubSpot import left NULL. */
function timestampFills(
  cols: Columns,
  overrides: Map<string, Override>,
  audited: boolean,
  sessionCreatedAt: string | undefined,
) {
  const as = (column: string) => (expression: string) => `(${expression})::${cols.typeOf(column)}`;
  if (cols.has('created_at')) {
    const cast = as('created_at');
    const candidates = [
      ...(audited ? [{ sql: cast('ab.inserted_at'), name: "the audit log's INSERT time" }] : []),
      ...['updated_at', 'synced_at', 'hubspot_last_sync_at']
        .filter(cols.has)
        .map((name) => ({ sql: cast(c(name)), name })),
      ...(sessionCreatedAt ? [{ sql: cast(sessionCreatedAt), name: "its session's created_at" }] : []),
    ];
    overrides.set('created_at', {
      expression: `coalesce(${[c('created_at'), ...candidates.map((x) => x.sql)].join(', ')})`,
      description: `NULL → ${candidates.map((x) => x.name).join(', else ')}`,
    });
  }
  if (cols.has('updated_at')) {
    const cast = as('updated_at');
    const createdAt = overrides.get('created_at')?.expression;
    const candidates = [
      ...(audited ? [{ sql: cast('ab.changed_at'), name: "the audit log's last change" }] : []),
      ...(createdAt ? [{ sql: cast(createdAt), name: 'created_at (filled)' }] : []),
    ];
    if (candidates.length > 0)
      overrides.set('updated_at', {
        expression: `coalesce(${[c('updated_at'), ...candidates.map((x) => x.sql)].join(', ')})`,
        description: `NULL → ${candidates.map((x) => x.name).join(', else ')}`,
      });
  }
}

/** Per-record audit facts of one table: first INSERT, last change and (bookings) the cancelling UPDATE. */
function auditJoin(audit: NonNullable<ReturnType<typeof auditOf>>, table: string, cancellations: boolean): string {
  const op = 'upper(a.operation::text)';
  const cancelled = cancellations
    ? `, max(${audit.at}) filter (where ${op} = 'UPDATE' and lower(a.new_values->>'is_active') = 'cancelled' ` +
      `and lower(coalesce(a.old_values->>'is_active', '')) <> 'cancelled') as cancelled_at`
    : '';
  return (
    `left join (select a.record_id::text as record_id, min(${audit.at}) filter (where ${op} = 'INSERT') as inserted_at, ` +
    `max(${audit.at}) as changed_at${cancelled} from ${audit.relation} as a where ${audit.forTable(table)} group by 1) as ab ` +
    `on ab.record_id = ${c('id')}::text`
  );
}

function bookingsFilled(ctx: FillContext): FilledTable {
  const table = 'hubspot_bookings';
  const cols = new Columns(ctx, table);
  const exams = new Columns(ctx, 'hubspot_mock_exams');
  const examsSchema = ctx.layout.schemaOf.get('hubspot_mock_exams');
  const contactsSchema = ctx.layout.schemaOf.get('hubspot_contact_credits');
  const audit = cols.has('id') ? auditOf(ctx) : undefined;
  const overrides = new Map<string, Override>();
  const joins: string[] = [];
  const extraFills: Fill[] = [];
  const hidden: string[] = [];
  const session = examsSchema && cols.has('associated_mock_exam') && exams.has('hubspot_id');
  if (session)
    joins.push(
      `left join lateral (select e.* from ${qualified(examsSchema, 'hubspot_mock_exams')} as e ` +
        `where e.hubspot_id::text = ${c('associated_mock_exam')}::text limit 1) as e on true`,
    );
  if (audit) joins.push(auditJoin(audit, table, true));

  timestampFills(cols, overrides, Boolean(audit), session && exams.has('created_at') ? 'e.created_at' : undefined);
  for (const column of ['mock_type', 'exam_date', 'start_time', 'end_time'])
    if (session && cols.has(column) && exams.has(column))
      overrides.set(column, {
        expression: `coalesce(${c(column)}, e.${ident(column)}::${cols.typeOf(column)})`,
        description: "NULL → its session's",
      });

  const status = cols.has('is_active') ? bookingStatusSql(c('is_active')) : undefined;
  if (status) {
    overrides.set('is_active', {
      expression: `case when ${c('id')}::text = any (${losersSql(ctx.losers)}) then 'Cancelled' else ${status} end`,
      description: "legacy spellings → 'Active' / 'Cancelled' / 'Completed'",
      changed: `${bookingStatusSql(`t.${raw('is_active')}`)} is distinct from t.${raw('is_active')}`,
    });
    extraFills.push({
      column: 'is_active',
      description: "a duplicate seat (earliest created_at keeps it) → 'Cancelled'",
      changed: `${c('id')}::text = any (${losersSql(ctx.losers)})`,
    });
  }

  if (status && cols.has('token_refunded')) {
    const at = cols.has('token_refunded_at') ? `when ${c('token_refunded_at')} is not null then 'true' ` : '';
    const adminOverride = cols.has('token_used')
      ? `when ${c('token_used')}::text = 'Admin Override' then 'false' `
      : '';
    const contactJoin = audit && contactsSchema && cols.has('associated_contact_id');
    if (contactJoin)
      joins.push(
        `left join lateral (select k.id::text as id, k.hubspot_id::text as hubspot_id from ${qualified(contactsSchema, 'hubspot_contact_credits')} as k ` +
          `where k.hubspot_id::text = ${c('associated_contact_id')}::text limit 1) as k on true`,
      );
    const increased = (f: string) =>
      `(case when a.new_values->>${literal(f)} ~ '^-?[0-9]+$' and a.old_values->>${literal(f)} ~ '^-?[0-9]+$' ` +
      `then (a.new_values->>${literal(f)})::bigint > (a.old_values->>${literal(f)})::bigint else false end)`;
    // The cancel RPC restored the credit in the same transaction as it cancelled: same now(), same audit time.
    const fromAudit = contactJoin
      ? `when ab.cancelled_at is not null and exists (select 1 from ${audit.relation} as a where ${audit.forTable('hubspot_contact_credits')} ` +
        `and upper(a.operation::text) = 'UPDATE' and a.record_id::text in (k.id, k.hubspot_id) and ${audit.at} = ab.cancelled_at ` +
        `and (${CREDIT_COLUMNS.map(increased).join(' or ')})) then 'true' when ab.cancelled_at is not null then 'false' `
      : '';
    const tokenRefunded = c('token_refunded');
    overrides.set('token_refunded', {
      expression:
        `case when ${tokenRefunded} is not null then ${tokenRefunded}::text ${at}` +
        `when ${status} <> 'Cancelled' then null ${adminOverride}${fromAudit}else null end`,
      description:
        "NULL → 'true' when token_refunded_at is set" +
        (contactJoin
          ? "; on a Cancelled booking, 'true' when the audit log shows the cancelling transaction restoring a credit, 'false' when it shows the cancellation without one"
          : '') +
        (adminOverride ? "; 'false' for Admin Override (nothing was spent)" : ''),
    });
    // Computed inside the relation (it reads the audit join), counted outside.
    hidden.push(
      `(${status} = 'Cancelled' and ${tokenRefunded} is null` +
        (cols.has('token_refunded_at') ? ` and ${c('token_refunded_at')} is null` : '') +
        (cols.has('token_used') ? ` and ${c('token_used')}::text is distinct from 'Admin Override'` : '') +
        `${contactJoin ? ' and ab.cancelled_at is null' : ''}) as __refund_undecided`,
    );
    extraFills.push({
      column: 'token_refunded',
      description:
        'Cancelled, token_refunded and token_refunded_at NULL, nothing in the audit log: imported as not refunded (check these with the school)',
      changed: 't.__refund_undecided',
    });
  }

  if (cols.has('dominant_hand'))
    overrides.set('dominant_hand', {
      expression: handSql(c('dominant_hand')),
      description: "legacy 'true' / 'right hand' → 'Right', 'false' / 'left hand' → 'Left'",
    });
  if (cols.has('attending_location'))
    overrides.set('attending_location', {
      expression: locationSql(c('attending_location')),
      description: "all lower case ('toronto') → capitalised ('Toronto')",
    });

  hidden.push(
    `${session ? 'e.exam_date::text' : 'null::text'} as __rule_date`,
    `${session ? 'e.mock_type::text' : 'null::text'} as __rule_type`,
    `${audit ? 'ab.inserted_at' : 'null::timestamptz'} as __audit_inserted_at`,
  );
  return relationOf(ctx, table, overrides, joins, hidden, extraFills);
}

function examsFilled(ctx: FillContext): FilledTable {
  const table = 'hubspot_mock_exams';
  const cols = new Columns(ctx, table);
  const audit = cols.has('id') ? auditOf(ctx) : undefined;
  const overrides = new Map<string, Override>();
  const joins = audit ? [auditJoin(audit, table, false)] : [];
  timestampFills(cols, overrides, Boolean(audit), undefined);
  if (cols.has('is_active'))
    overrides.set('is_active', {
      expression: examStatusSql(c('is_active')),
      description: "legacy 'active' → 'true', 'inactive' → 'false'",
    });
  if (cols.has('location'))
    overrides.set('location', {
      expression: locationSql(c('location')),
      description: "all lower case ('toronto') → capitalised ('Toronto')",
    });
  const bookingsSchema = ctx.layout.schemaOf.get('hubspot_bookings');
  if (ctx.bookingsInRun && bookingsSchema && cols.has('total_bookings') && cols.has('hubspot_id'))
    overrides.set('total_bookings', {
      expression:
        `(select count(*) from ${qualified(bookingsSchema, 'hubspot_bookings')} as b where b.associated_mock_exam::text = ${c('hubspot_id')}::text ` +
        `and ${bookingStatusSql('b.is_active')} <> 'Cancelled' and not (b.id::text = any (${losersSql(ctx.losers)})))`,
      description:
        'recounted from the bookings holding a seat after the fills (the target is recounted the same way after the import)',
    });
  return relationOf(ctx, table, overrides, joins, [], []);
}

function contactsFilled(ctx: FillContext): FilledTable {
  const table = 'hubspot_contact_credits';
  const cols = new Columns(ctx, table);
  const audit = cols.has('id') ? auditOf(ctx) : undefined;
  const overrides = new Map<string, Override>();
  timestampFills(cols, overrides, Boolean(audit), undefined);
  return relationOf(ctx, table, overrides, audit ? [auditJoin(audit, table, false)] : [], [], []);
}

function syncMetadataFilled(ctx: FillContext): FilledTable {
  const cols = new Columns(ctx, 'sync_metadata');
  const overrides = new Map<string, Override>();
  if (cols.has('last_sync_timestamp'))
    overrides.set('last_sync_timestamp', {
      expression: `case when ${c('last_sync_timestamp')}::text = '0' then null else ${c('last_sync_timestamp')} end`,
      description: '0 ("never synced") → NULL',
    });
  return relationOf(ctx, 'sync_metadata', overrides, [], [], []);
}

const BUILDERS: Record<TableName, (ctx: FillContext) => FilledTable> = {
  hubspot_contact_credits: contactsFilled,
  hubspot_mock_exams: examsFilled,
  hubspot_bookings: bookingsFilled,
  sync_metadata: syncMetadataFilled,
};

export const filledTable = (ctx: FillContext, table: TableName): FilledTable => BUILDERS[table](ctx);

export interface FillCount {
  table: string;
  column: string;
  description: string;
  rows: number;
}

/** How many rows each fill changed: one pass over the filled relation per table. */
export async function countFills(client: pg.ClientBase, filled: FilledTable): Promise<FillCount[]> {
  if (filled.fills.length === 0) return [];
  const { rows } = await client.query<Record<string, number>>(
    `select ${filled.fills.map((f, i) => `count(*) filter (where ${f.changed})::int as f${i}`).join(', ')} from ${filled.relation} as t`,
  );
  return filled.fills.map((f, i) => ({
    table: filled.table,
    column: f.column,
    description: f.description,
    rows: rows[0]?.[`f${i}`] ?? 0,
  }));
}
