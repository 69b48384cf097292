/**
 * Instants as the live database wrote them: ISO-8601 text (with or without an offset), epoch
 * milliseconds as text or bigint, and `timestamp without time zone`, all meaning UTC when no offset
 * is given. The output is one canonical form Postgres parses exactly: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
 *
 * The patterns are plain strings because verify runs the very same ones inside Postgres
 * (see normalizeSql.ts); they use only syntax that JavaScript and Postgres regexes read alike.
 */
export const EPOCH_MILLIS_PATTERN = '^[0-9]{12,13}$';
/** Groups: 1 year, 2 month, 3 day, 4 hour, 5 minute, 6 second, 7 fraction, 8 offset. */
export const ISO_INSTANT_PATTERN =
  '^([1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):([0-5][0-9])' +
  '(?::([0-5][0-9])(?:[.]([0-9]{1,6}))?)?(Z|[+-](?:0[0-9]|1[0-5])(?::?[0-5][0-9])?)?$';
/**
 * The subset of ISO_INSTANT_PATTERN whose every match Postgres casts to timestamptz without error (no
 * 29th–31st of a month that may lack it), exactly as instantFromText reads it: verify's fast path.
 */
export const CASTABLE_INSTANT_PATTERN =
  '^[1-9][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)' +
  '[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,6})?)?(?:Z|[+-](?:0[0-9]|1[0-5])(?::?[0-5][0-9])?)?$';
export const ISO_DATE_PATTERN = '^([1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

const epochMillis = new RegExp(EPOCH_MILLIS_PATTERN);
const isoInstant = new RegExp(ISO_INSTANT_PATTERN);
const isoDate = new RegExp(ISO_DATE_PATTERN);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const refused = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });

const FIRST_INSTANT_MS = Date.UTC(1000, 0, 1);
const LAST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

const dayExists = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;

/** Whole-second UTC instant plus microseconds, so nothing finer than JavaScript's milliseconds is lost. */
function canonical(wholeSecondMs: number, micros: number): string {
  const iso = new Date(wholeSecondMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return offset.startsWith('-') ? -minutes : minutes;
}

export function instantFromEpochMillis(text: string): Parsed<string> {
  if (!epochMillis.test(text)) return refused('not epoch milliseconds (12 or 13 digits)');
  const ms = Number(text);
  return ok(canonical(ms - (ms % 1000), (ms % 1000) * 1000));
}

/** ISO-8601 date-time text (no offset = UTC), or epoch milliseconds. */
export function instantFromText(text: string): Parsed<string> {
  if (epochMillis.test(text)) return instantFromEpochMillis(text);
  const m = isoInstant.exec(text);
  if (!m) return refused('not an ISO-8601 date-time or epoch milliseconds');
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (!dayExists(year, month, day)) return refused('no such calendar day');
  const fraction = (m[7] ?? '').padEnd(6, '0');
  // Already UTC (the common case): the canonical form is a matter of spelling, no arithmetic needed.
  if (m[8] === undefined || m[8] === 'Z' || /^[+-]00(?::?00)?$/.test(m[8])) {
    return ok(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${fraction}Z`);
  }
  const second = Number(m[6] ?? '0');
  const micros = Number(fraction);
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes(m[8]) * 60_000;
  if (utcMs < FIRST_INSTANT_MS || utcMs > LAST_INSTANT_MS) return refused('outside the years 1000–9999 in UTC');
  return ok(canonical(utcMs, micros));
}

/** A calendar date from `YYYY-MM-DD`, or from an instant that falls exactly on a UTC midnight. */
export function dateFromText(text: string): Parsed<string> {
  const d = isoDate.exec(text);
  if (d) return dayExists(Number(d[1]), Number(d[2]), Number(d[3])) ? ok(text) : refused('no such calendar day');
  return refused('not a YYYY-MM-DD date');
}

export function dateFromInstantText(text: string): Parsed<string> {
  const instant = instantFromText(text);
  if (!instant.ok) return instant;
  if (!instant.value.endsWith('T00:00:00.000000Z')) {
    return refused('has a time of day; a calendar date cannot be taken from it without guessing a time zone');
  }
  return ok(instant.value.slice(0, 10));
}
