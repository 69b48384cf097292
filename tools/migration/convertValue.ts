import type { SourceCategory, TargetKind } from './columnTypes';
import {
  dateFromInstantText,
  dateFromText,
  instantFromEpochMillis,
  instantFromText,
  ok,
  type Parsed,
  refused,
} from './instants';
import { booleanFromText, integerFromText, uuidFromText } from './scalars';

/**
 * One non-NULL source value (read as text, arrays as text[]) → the text Postgres will parse into the
 * target column's type. The import selects every column as text, so the driver never reinterprets a
 * value (node-postgres would read a `timestamp without time zone` in the process's local zone).
 */
export type SourceValue = string | readonly (string | null)[];
export type TargetValue = string | readonly (string | null)[];

type Converter = (text: string) => Parsed<string>;

const textConverters: Record<Exclude<TargetKind, 'textArray'>, Partial<Record<SourceCategory, Converter>>> = {
  text: {},
  integer: { number: integerFromText, text: integerFromText },
  boolean: { boolean: booleanFromText, text: booleanFromText },
  timestamptz: {
    timestamptz: instantFromText,
    timestamp: instantFromText,
    text: instantFromText,
    number: instantFromEpochMillis,
  },
  date: { date: dateFromText, text: dateFromText, timestamp: dateFromInstantText, timestamptz: dateFromInstantText },
  uuid: { uuid: uuidFromText, text: uuidFromText },
};

export function convertValue(kind: TargetKind, category: SourceCategory, value: SourceValue): Parsed<TargetValue> {
  if (kind === 'textArray') {
    return Array.isArray(value) ? ok(value as readonly (string | null)[]) : refused('not an array');
  }
  if (typeof value !== 'string') return refused('an array where a single value belongs');
  if (kind === 'text') return ok(value);
  const convert = textConverters[kind][category];
  if (!convert) return refused(`no conversion from ${category} to ${kind}`);
  return convert(value);
}
