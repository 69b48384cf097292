import type { ColumnPlan, PlannedColumn } from './columnPlan';
import { CASTABLE_INSTANT_PATTERN, EPOCH_MILLIS_PATTERN, ISO_DATE_PATTERN, ISO_INSTANT_PATTERN } from './instants';
import { INTEGER_PATTERN, UUID_PATTERN } from './scalars';
import { ident, literal } from './sqlText';

/**
 * SQL that turns a column into its normalized text, the form verify digests on both sides: instants
 * as UTC ISO text to the millisecond, dates as YYYY-MM-DD, booleans 'true'/'false', arrays as JSON,
 * NULL as JSON null. The source side reads the drifted types and must agree with the importer's
 * conversions (convertValue.ts) for every value the importer accepts; a value it refuses becomes
 * 'invalid:…', which matches nothing. None of these expressions can raise an error on odd input.
 */
const INSTANT_FORMAT = literal('YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
const invalid = (text: string) => `'invalid:' || ${text}`;

const utcInstantText = (timestampWithoutZone: string) => `to_char(${timestampWithoutZone}, ${INSTANT_FORMAT})`;

function epochMillisText(c: string): string {
  return utcInstantText(`(timestamp '1970-01-01' + ${c}::bigint * interval '1 millisecond')`);
}

/**
 * ISO text → UTC instant, built by arithmetic from the pattern's groups, so no input can make it throw.
 * Slow (a regex match per value); only text the plain cast could choke on comes this way.
 */
function isoInstantText(c: string): string {
  const g = (n: number) => `r.m[${n}]`;
  const offsetMinutes =
    `(case when ${g(8)} is null or ${g(8)} = 'Z' then 0 else ` +
    `(case when left(${g(8)}, 1) = '-' then -1 else 1 end) * ` +
    `(substr(${g(8)}, 2, 2)::int * 60 + coalesce(nullif(substr(replace(${g(8)}, ':', ''), 4, 2), ''), '0')::int) end)`;
  const local =
    `make_timestamp(${g(1)}::int, ${g(2)}::int, 1, ${g(4)}::int, ${g(5)}::int, coalesce(${g(6)}, '0')::int)` +
    ` + (${g(3)}::int - 1) * interval '1 day'` +
    ` + coalesce(rpad(${g(7)}, 6, '0'), '0')::int * interval '1 microsecond'`;
  return (
    `(select ${utcInstantText(`(${local} - ${offsetMinutes} * interval '1 minute')`)} from regexp_match(${c}, ${literal(ISO_INSTANT_PATTERN)}) as r(m) ` +
    // A 30th of February would roll into March: no such day, as the importer says too.
    `where r.m is not null and extract(month from make_date(${g(1)}::int, ${g(2)}::int, 1) + (${g(3)}::int - 1)) = ${g(2)}::int)`
  );
}

function sourceInstant(column: PlannedColumn, c: string): string {
  switch (column.category) {
    case 'timestamptz':
      return utcInstantText(`(${c} at time zone 'UTC')`);
    case 'timestamp':
      return utcInstantText(c);
    case 'number':
      return `case when ${c}::text ~ ${literal(EPOCH_MILLIS_PATTERN)} then ${epochMillisText(c)} else ${invalid(`${c}::text`)} end`;
    default:
      return (
        `case when ${c} ~ ${literal(EPOCH_MILLIS_PATTERN)} then ${epochMillisText(c)} ` +
        `when ${c} ~ ${literal(CASTABLE_INSTANT_PATTERN)} then ${utcInstantText(`(${c}::timestamptz at time zone 'UTC')`)} ` +
        `else coalesce(${isoInstantText(c)}, ${invalid(c)}) end`
      );
  }
}

function sourceDate(column: PlannedColumn, c: string): string {
  const midnight = (ts: string) =>
    `case when ${ts} = date_trunc('day', ${ts}) then to_char(${ts}, 'YYYY-MM-DD') else ${invalid(`${c}::text`)} end`;
  switch (column.category) {
    case 'date':
      return `to_char(${c}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return midnight(c);
    case 'timestamptz':
      return midnight(`(${c} at time zone 'UTC')`);
    default:
      return (
        `case when ${c} ~ ${literal(ISO_DATE_PATTERN)} then ` +
        `case when extract(month from make_date(substr(${c}, 1, 4)::int, substr(${c}, 6, 2)::int, 1) + (substr(${c}, 9, 2)::int - 1)) = substr(${c}, 6, 2)::int ` +
        `then ${c} else ${invalid(c)} end else ${invalid(c)} end`
      );
  }
}

function sourceValue(column: PlannedColumn, c: string): string {
  switch (column.kind) {
    case 'timestamptz':
      return sourceInstant(column, c);
    case 'date':
      return sourceDate(column, c);
    case 'integer':
      return column.category === 'text'
        ? `case when ${c} ~ ${literal(INTEGER_PATTERN)} then (${c}::numeric)::text else ${invalid(c)} end`
        : `${c}::text`;
    case 'boolean':
      return column.category === 'text'
        ? `case when ${c} in ('true', 'false') then ${c} else ${invalid(c)} end`
        : `${c}::text`;
    case 'uuid':
      return column.category === 'text'
        ? `case when ${c} ~ ${literal(UUID_PATTERN)} then lower(${c}) else ${invalid(c)} end`
        : `${c}::text`;
    case 'textArray':
      return `array_to_json(${c}::text[])::text`;
    case 'text':
      return `${c}::text`;
  }
}

function targetValue(column: PlannedColumn, c: string): string {
  switch (column.kind) {
    case 'timestamptz':
      return utcInstantText(`(${c} at time zone 'UTC')`);
    case 'date':
      return `to_char(${c}, 'YYYY-MM-DD')`;
    case 'textArray':
      return `array_to_json(${c})::text`;
    default:
      return `${c}::text`;
  }
}

export type Side = 'source' | 'target';

/** The normalized text of one column, read from table alias `t`. */
export function normalizedColumn(column: PlannedColumn, side: Side): string {
  if (side === 'target') return targetValue(column, `t.${ident(column.target)}`);
  const expression = sourceValue(column, `t.${ident(column.source)}`);
  return column.nullMeans === undefined ? expression : `coalesce(${expression}, ${literal(column.nullMeans)})`;
}

/** Columns in the order both sides digest them: by target name. */
export const digestColumns = (plan: ColumnPlan) =>
  [...plan.columns].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));

/** One JSON array of every compared column's normalized text: the row as verify sees it. */
export const normalizedRow = (plan: ColumnPlan, side: Side) =>
  `json_build_array(${digestColumns(plan)
    .map((c) => normalizedColumn(c, side))
    .join(', ')})`;

export const rowDigest = (plan: ColumnPlan, side: Side) => `md5(${normalizedRow(plan, side)}::text)`;

export const normalizedKey = (plan: ColumnPlan, side: Side) => normalizedColumn(plan.key, side);
