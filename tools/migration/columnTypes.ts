/**
 * What a column holds, in the few shapes the toolkit converts between. The source side is whatever the
 * live database drifted to; the target side is our schema.
 */

/** A column as read from the catalog. `udt` is the base type name (domains resolved), `elementUdt` for arrays. */
export interface ColumnInfo {
  name: string;
  /** format_type(): what an operator reads in messages, e.g. "timestamp without time zone". */
  type: string;
  udt: string;
  isEnum: boolean;
  elementUdt: string | null;
  elementIsEnum: boolean;
  notNull: boolean;
}

export type SourceCategory =
  | 'text'
  | 'number'
  | 'boolean'
  | 'timestamptz'
  | 'timestamp'
  | 'date'
  | 'uuid'
  | 'textArray'
  | 'other';
export type TargetKind = 'text' | 'integer' | 'boolean' | 'timestamptz' | 'date' | 'uuid' | 'textArray';

const TEXT_UDTS = new Set(['text', 'varchar', 'bpchar', 'name', 'citext']);
const NUMBER_UDTS = new Set(['int2', 'int4', 'int8', 'numeric']);
const SAME_NAMED = new Set(['bool', 'timestamptz', 'timestamp', 'date', 'uuid']);

export function sourceCategory(column: ColumnInfo): SourceCategory {
  if (column.elementUdt !== null) {
    return column.elementIsEnum || TEXT_UDTS.has(column.elementUdt) ? 'textArray' : 'other';
  }
  if (column.isEnum || TEXT_UDTS.has(column.udt)) return 'text';
  if (NUMBER_UDTS.has(column.udt)) return 'number';
  if (SAME_NAMED.has(column.udt)) return column.udt === 'bool' ? 'boolean' : (column.udt as SourceCategory);
  return 'other';
}

export function targetKind(column: ColumnInfo): TargetKind | undefined {
  if (column.elementUdt === 'text') return 'textArray';
  if (column.elementUdt !== null) return undefined;
  if (column.udt === 'text') return 'text';
  if (column.udt === 'int4' || column.udt === 'int2' || column.udt === 'int8') return 'integer';
  if (column.udt === 'bool') return 'boolean';
  if (column.udt === 'timestamptz' || column.udt === 'date' || column.udt === 'uuid') return column.udt;
  return undefined;
}

/** Which source shapes convert into which target kinds; every other pairing stops the run before it copies. */
const CONVERTIBLE: Readonly<Record<TargetKind, readonly SourceCategory[]>> = {
  text: ['text', 'number', 'boolean', 'timestamptz', 'timestamp', 'date', 'uuid', 'other'],
  integer: ['number', 'text'],
  boolean: ['boolean', 'text'],
  timestamptz: ['timestamptz', 'timestamp', 'text', 'number'],
  date: ['date', 'timestamp', 'timestamptz', 'text'],
  uuid: ['uuid', 'text'],
  textArray: ['textArray'],
};

export const convertible = (kind: TargetKind, category: SourceCategory) => CONVERTIBLE[kind].includes(category);
