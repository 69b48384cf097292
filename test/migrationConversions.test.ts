import { describe, expect, it } from 'vitest';
import { redactUrlPasswords as maskUrl } from '../server/lib/redact';
import { parseImportArgs, parseVerifyArgs } from '../tools/migration/cliOptions';
import { planColumns } from '../tools/migration/columnPlan';
import type { ColumnInfo } from '../tools/migration/columnTypes';
import { convertRow } from '../tools/migration/convertRow';
import { convertValue } from '../tools/migration/convertValue';
import { dateFromInstantText, dateFromText, instantFromText } from '../tools/migration/instants';
import { bucketPrefixLength } from '../tools/migration/rowDigests';
import { booleanFromText, integerFromText, uuidFromText } from '../tools/migration/scalars';
import { TABLE_MAPPINGS } from '../tools/migration/tableMappings';

const column = (name: string, udt: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  type: udt,
  udt,
  isEnum: false,
  elementUdt: null,
  elementIsEnum: false,
  notNull: false,
  ...extra,
});
const value = <T>(parsed: { ok: true; value: T } | { ok: false; reason: string }) =>
  parsed.ok ? parsed.value : `refused: ${parsed.reason}`;

describe('instants from the live database', () => {
  it.each([
    ['2026-03-01T14:00:00Z', '2026-03-01T14:00:00.000000Z'],
    ['2026-03-01T14:00:00.123Z', '2026-03-01T14:00:00.123000Z'],
    ['2026-03-01T14:00:00.123456Z', '2026-03-01T14:00:00.123456Z'],
    ['2026-03-01T09:00:00-05:00', '2026-03-01T14:00:00.000000Z'],
    ['2026-03-01T09:00:00-0500', '2026-03-01T14:00:00.000000Z'],
    ['2026-03-01T19:30:00+05:30', '2026-03-01T14:00:00.000000Z'],
    ['2026-03-01 00:30:00+01', '2026-02-28T23:30:00.000000Z'],
    // No offset means UTC, like every zone-less value of that database (and `timestamp` columns read as text).
    ['2026-03-01 14:00:00', '2026-03-01T14:00:00.000000Z'],
    ['2026-03-01T14:00', '2026-03-01T14:00:00.000000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000000Z'],
    ['2026-03-01 14:00:00.5+00', '2026-03-01T14:00:00.500000Z'],
    // Epoch milliseconds, as older rows hold them.
    ['1767225600000', '2026-01-01T00:00:00.000000Z'],
    ['1767225600123', '2026-01-01T00:00:00.123000Z'],
    ['999999999999', '2001-09-09T01:46:39.999000Z'],
  ])('%s → %s', (text, expected) => {
    expect(value(instantFromText(text))).toBe(expected);
  });

  it.each([
    ['next tuesday'],
    [''],
    ['1767225600'], // epoch seconds: ambiguous with milliseconds of 1970, refused
    ['2026-02-30T10:00:00Z'],
    ['2025-02-29T10:00:00Z'],
    ['2026-13-01T00:00:00Z'],
    ['2026-03-01T24:00:00Z'],
    [' 2026-03-01T14:00:00Z'],
    ['2026-03-01'],
    ['infinity'],
    ['2026-03-01T14:00:00+16:00'],
    ['9999-12-31T23:00:00-05:00'],
  ])('refuses %j', (text) => {
    expect(instantFromText(text).ok).toBe(false);
  });

  it('takes a calendar date only from a UTC midnight or a plain date', () => {
    expect(value(dateFromInstantText('2026-03-01 00:00:00'))).toBe('2026-03-01');
    expect(value(dateFromInstantText('2026-03-01 00:00:00+00'))).toBe('2026-03-01');
    expect(dateFromInstantText('2026-03-01 05:00:00').ok).toBe(false);
    expect(value(dateFromText('2026-03-01'))).toBe('2026-03-01');
    expect(dateFromText('2026-02-30').ok).toBe(false);
    expect(dateFromText('01/03/2026').ok).toBe(false);
  });
});

describe('scalar conversions', () => {
  it('integers, booleans and uuids accept only their plain spellings', () => {
    expect(value(integerFromText('03'))).toBe('3');
    expect(value(integerFromText('-2'))).toBe('-2');
    expect(integerFromText('2.5').ok).toBe(false);
    expect(integerFromText('3000000000').ok).toBe(false);
    expect(value(booleanFromText('true'))).toBe('true');
    expect(value(booleanFromText('false'))).toBe('false');
    expect(booleanFromText('yes').ok).toBe(false);
    expect(booleanFromText('TRUE').ok).toBe(false);
    expect(value(uuidFromText('6F1C2B3A-1D2E-4F50-8A9B-0C1D2E3F4A5B'))).toBe('6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b');
    expect(uuidFromText('not-a-uuid').ok).toBe(false);
  });

  it('dispatches on the target kind and the source shape', () => {
    expect(value(convertValue('timestamptz', 'number', '1767225600000'))).toBe('2026-01-01T00:00:00.000000Z');
    expect(value(convertValue('date', 'timestamp', '2026-03-01 00:00:00'))).toBe('2026-03-01');
    expect(value(convertValue('boolean', 'text', 'false'))).toBe('false');
    expect(value(convertValue('text', 'text', 'B'))).toBe('B');
    expect(value(convertValue('textArray', 'textArray', ['ex-1', 'ex-2']))).toEqual(['ex-1', 'ex-2']);
    expect(convertValue('textArray', 'text', '{ex-1}').ok).toBe(false);
  });
});

const bookingSource = [
  column('id', 'uuid', { notNull: true }),
  column('associated_contact_id', 'text'),
  column('is_active', 'text'),
  column('start_time', 'text'),
  column('token_refunded', 'text'),
  column('attendance', 'text'),
  column('mock_set', 'mock_set', { isEnum: true }),
  column('exam_date', 'timestamp', { type: 'timestamp without time zone' }),
];
const bookingTarget = [
  column('id', 'uuid', { notNull: true }),
  column('associated_contact_id', 'text', { notNull: true }),
  column('is_active', 'text', { notNull: true }),
  column('start_time', 'timestamptz', { type: 'timestamp with time zone' }),
  column('token_refunded', 'bool', { notNull: true }),
  column('attendance', 'text'),
  column('mock_set', 'text'),
  column('exam_date', 'date'),
  column('cancelled_at', 'timestamptz'),
];
const schemaColumns = new Set(bookingTarget.map((c) => c.name));

function bookingPlan() {
  const planned = planColumns({
    mapping: TABLE_MAPPINGS.hubspot_bookings,
    source: bookingSource,
    target: bookingTarget,
    ignore: new Set(),
    schemaColumns,
  });
  if (!planned.ok) throw new Error(planned.problems.join('\n'));
  return planned.plan;
}

describe('column plan', () => {
  it('pairs columns, keeps target-only ones at their defaults, and matches bookings by id', () => {
    const plan = bookingPlan();
    expect(plan.key.target).toBe('id');
    expect(plan.targetOnly).toEqual(['cancelled_at']);
    expect(plan.columns.find((c) => c.source === 'mock_set')).toMatchObject({ category: 'text', kind: 'text' });
    expect(plan.columns.find((c) => c.source === 'exam_date')).toMatchObject({ category: 'timestamp', kind: 'date' });
  });

  it('maps sync_metadata.last_sync_timestamp onto last_sync_time', () => {
    const planned = planColumns({
      mapping: TABLE_MAPPINGS.sync_metadata,
      source: [column('sync_type', 'text', { notNull: true }), column('last_sync_timestamp', 'int8')],
      target: [
        column('sync_type', 'text', { notNull: true }),
        column('last_sync_time', 'timestamptz'),
        column('records_synced', 'int4', { notNull: true }),
      ],
      ignore: new Set(),
      schemaColumns: new Set(),
    });
    expect(planned.ok && planned.plan.columns.map((c) => [c.source, c.target, c.category, c.kind])).toEqual([
      ['sync_type', 'sync_type', 'text', 'text'],
      ['last_sync_timestamp', 'last_sync_time', 'number', 'timestamptz'],
    ]);
    expect(planned.ok && planned.plan.targetOnly).toEqual(['records_synced']);
  });

  it('refuses a source column with nowhere to go, unless it is ignored on purpose', () => {
    const source = [...bookingSource, column('legacy_notes', 'text')];
    const refused = planColumns({
      mapping: TABLE_MAPPINGS.hubspot_bookings,
      source,
      target: bookingTarget,
      ignore: new Set(),
      schemaColumns,
    });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.join()).toContain('--ignore-column hubspot_bookings.legacy_notes');
    const ignored = planColumns({
      mapping: TABLE_MAPPINGS.hubspot_bookings,
      source,
      target: bookingTarget,
      ignore: new Set(['legacy_notes']),
      schemaColumns,
    });
    expect(ignored.ok && ignored.plan.ignored).toEqual(['legacy_notes']);
  });

  it('tells a target that is merely not migrated from one that lacks the column in db/schema', () => {
    const planned = planColumns({
      mapping: TABLE_MAPPINGS.hubspot_bookings,
      source: bookingSource,
      target: bookingTarget.filter((c) => c.name !== 'attendance'),
      ignore: new Set(['nonexistent']),
      schemaColumns,
    });
    expect(!planned.ok && planned.problems).toEqual([
      '--ignore-column hubspot_bookings.nonexistent: the source table has no such column',
      'hubspot_bookings.attendance: the target database lacks column attendance; run `npm run db:migrate` against it first',
    ]);
  });

  it('refuses type pairings it has no conversion for', () => {
    const planned = planColumns({
      mapping: TABLE_MAPPINGS.hubspot_bookings,
      source: bookingSource.map((c) => (c.name === 'attendance' ? column('attendance', 'jsonb') : c)),
      target: bookingTarget.map((c) => (c.name === 'attendance' ? column('attendance', 'int4') : c)),
      ignore: new Set(),
      schemaColumns,
    });
    expect(!planned.ok && planned.problems).toEqual([
      "hubspot_bookings.attendance: no conversion from the source's jsonb to the target's int4",
    ]);
  });
});

describe('row conversion', () => {
  const row = (overrides: Record<string, string | null>) => ({
    id: '00000000-0000-4000-8000-000000000001',
    associated_contact_id: 'c-1',
    is_active: 'Active',
    start_time: '1767225600000',
    token_refunded: null,
    attendance: null,
    mock_set: 'A',
    exam_date: '2026-01-01 00:00:00',
    ...overrides,
  });

  it('converts every drifted type, reading a NULL token_refunded as never refunded', () => {
    const outcome = convertRow(bookingPlan(), row({}));
    expect(outcome).toEqual({
      ok: true,
      row: {
        id: '00000000-0000-4000-8000-000000000001',
        associated_contact_id: 'c-1',
        is_active: 'Active',
        start_time: '2026-01-01T00:00:00.000000Z',
        token_refunded: 'false',
        attendance: null,
        mock_set: 'A',
        exam_date: '2026-01-01',
      },
    });
  });

  it('refuses the whole row, naming key, column and value, for an unconvertible value', () => {
    expect(convertRow(bookingPlan(), row({ start_time: 'next tuesday' }))).toEqual({
      ok: false,
      problems: [
        {
          table: 'hubspot_bookings',
          key: '00000000-0000-4000-8000-000000000001',
          column: 'start_time',
          value: 'next tuesday',
          reason: 'not an ISO-8601 date-time or epoch milliseconds (source text → target timestamp with time zone)',
        },
      ],
    });
  });

  it('reports every problem of a row in one run: rule checks run even when a conversion failed', () => {
    const outcome = convertRow(
      bookingPlan(),
      row({ start_time: 'next tuesday', attendance: 'Maybe', is_active: null }),
    );
    expect(outcome.ok ? [] : outcome.problems.map((p) => [p.column, p.reason.split(' (')[0]])).toEqual([
      ['is_active', 'NULL, but the target requires a value'],
      ['start_time', 'not an ISO-8601 date-time or epoch milliseconds'],
      ['attendance', "not one of 'Yes', 'No', ''"],
    ]);
  });

  it('refuses values the target constraints would reject, and NULL where the target needs a value', () => {
    const problems = (overrides: Record<string, string | null>) => {
      const outcome = convertRow(bookingPlan(), row(overrides));
      return outcome.ok ? [] : outcome.problems.map((p) => [p.column, p.value, p.reason]);
    };
    expect(problems({ attendance: 'Maybe' })).toEqual([['attendance', 'Maybe', "not one of 'Yes', 'No', ''"]]);
    expect(problems({ token_refunded: 'true' })).toEqual([
      ['token_refunded', 'true', "refunded, but the booking is 'Active', not 'Cancelled'"],
    ]);
    expect(problems({ token_refunded: 'true', is_active: 'Cancelled' })).toEqual([]);
    expect(problems({ is_active: null })).toEqual([['is_active', null, 'NULL, but the target requires a value']]);
    expect(problems({ exam_date: '2026-01-01 05:00:00' })[0]?.[0]).toBe('exam_date');
  });
});

describe('command line', () => {
  it('reads the import options with their defaults', () => {
    const parsed = parseImportArgs([
      '--source',
      'postgres://u:p@h/db',
      '--tables',
      'hubspot_bookings,hubspot_contact_credits',
      '--ignore-column',
      'hubspot_bookings.legacy',
    ]);
    expect(parsed.kind === 'options' && parsed.options).toMatchObject({
      sourceSchemas: ['hubspot_sync', 'public'],
      tables: ['hubspot_contact_credits', 'hubspot_bookings'],
      batch: 1000,
      dryRun: false,
      limit: 20,
    });
    expect(parsed.kind === 'options' && [...parsed.options.ignore.get('hubspot_bookings')!]).toEqual(['legacy']);
  });

  it.each([
    [['--source', 'postgres://h/db', '--batch', '0'], '--batch'],
    [['--source', 'postgres://h/db', '--tables', 'bookings'], 'unknown table'],
    [['--source', 'postgres://h/db', '--ignore-column', 'legacy'], 'table.column'],
    [['--source', 'mysql://h/db'], 'postgres://'],
    [['--tables', 'sync_metadata'], '--source'],
    [['--source', 'postgres://h/db', '--frobnicate'], 'frobnicate'],
  ])('refuses %j', (args, message) => {
    const parsed = parseImportArgs(args);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toContain(message);
  });

  it('verify has no --batch or --dry-run', () => {
    expect(parseVerifyArgs(['--source', 'postgres://h/db', '--dry-run']).kind).toBe('error');
  });

  it('never shows a password', () => {
    expect(maskUrl('postgres://admin:s3cr%40t@db.example.supabase.co:5432/postgres?sslmode=require')).toBe(
      'postgres://admin:***@db.example.supabase.co:5432/postgres?sslmode=require',
    );
    expect(maskUrl('postgres://admin:p@ss:w@rd@host/db')).toBe('postgres://admin:***@host/db');
    expect(maskUrl('postgres://host/db?user=a&password=secret')).toBe('postgres://host/db?user=a&password=***');
  });

  it('cuts the key space into more chunks as tables grow', () => {
    expect([10, 5_000, 200_000, 10_000_000].map(bucketPrefixLength)).toEqual([1, 2, 3, 4]);
  });
});
