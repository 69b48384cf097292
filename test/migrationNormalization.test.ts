import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedColumn } from '../tools/migration/columnPlan';
import type { SourceCategory, TargetKind } from '../tools/migration/columnTypes';
import { convertValue } from '../tools/migration/convertValue';
import { normalizedColumn } from '../tools/migration/normalizeSql';
import { createTestDatabase, type TestDatabase } from './helpers/database';

/**
 * The importer converts in JavaScript; verify normalizes in SQL on both sides. They must agree on every
 * value the importer accepts, or a faithful copy would read as "changed". Here, per sample: the
 * importer's output stored in a target-typed column and normalized as the target, against the raw
 * value normalized as the source. Values the importer refuses must normalize without an error.
 */
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  client = await database.connect();
  await client.query("set time zone 'America/Toronto'");
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

const planned = (
  category: SourceCategory,
  kind: TargetKind,
  sourceType: string,
  targetType: string,
): PlannedColumn => ({
  source: 'v',
  target: 'v',
  category,
  kind,
  sourceType,
  targetType,
  targetNotNull: false,
  nullMeans: undefined,
});

async function agreement(column: PlannedColumn, samples: string[]) {
  await client.query('drop table if exists sample');
  await client.query(`create table sample (n int, v ${column.sourceType}, converted ${column.targetType})`);
  const accepted: string[] = [];
  for (const [n, raw] of samples.entries()) {
    const converted = convertValue(column.kind, column.category, raw);
    if (converted.ok) accepted.push(raw);
    await client.query('insert into sample values ($1, $2, $3)', [n, raw, converted.ok ? converted.value : null]);
  }
  // Both sessions of the toolkit run in UTC; this one does only for the comparison, as verify's would.
  await client.query("set time zone 'UTC'");
  const { rows } = await client.query<{ source: string | null; target: string | null; converted: string | null }>(
    `select ${normalizedColumn(column, 'source')} as source,
            ${normalizedColumn({ ...column, target: 'converted' }, 'target')} as target, converted::text as converted
       from sample as t order by n`,
  );
  await client.query("set time zone 'America/Toronto'");
  return { rows, accepted };
}

describe('verify normalizes the drifted source exactly as the importer converts it', () => {
  it('text instants: ISO with and without offsets, epoch milliseconds, leap days, and refused text', async () => {
    const samples = [
      '2026-03-01T14:00:00Z',
      '2026-03-01T09:00:00.123456-05:00',
      '2026-03-01 14:00:00',
      '2026-03-01T14:00',
      '2026-03-01T19:30:00+0530',
      '2026-03-01 00:30:00.9995+01',
      '2024-02-29T23:59:59.999Z',
      '2026-12-31T23:59:59-15:59',
      '1767225600000',
      '1767225600999',
      'next tuesday',
      '2026-02-30T10:00:00Z',
      '2025-02-29T00:00:00Z',
      'infinity',
      'today',
      '',
    ];
    const { rows, accepted } = await agreement(planned('text', 'timestamptz', 'text', 'timestamptz'), samples);
    expect(accepted).toHaveLength(10);
    for (const [i, row] of rows.entries()) {
      if (row.converted === null) expect(row.source, samples[i]).toMatch(/^invalid:/);
      else expect(row.source, samples[i]).toBe(row.target);
    }
    expect(rows[1]?.source).toBe('2026-03-01T14:00:00.123Z');
    expect(rows[8]?.source).toBe('2026-01-01T00:00:00.000Z');
  });

  it('timestamp without time zone means UTC, whatever the session zone was', async () => {
    const { rows } = await agreement(planned('timestamp', 'timestamptz', 'timestamp', 'timestamptz'), [
      '2025-06-01 12:00:00.123456',
      '2025-11-02 01:30:00',
    ]);
    expect(rows.map((r) => [r.source, r.target])).toEqual([
      ['2025-06-01T12:00:00.123Z', '2025-06-01T12:00:00.123Z'],
      ['2025-11-02T01:30:00.000Z', '2025-11-02T01:30:00.000Z'],
    ]);
  });

  it('epoch milliseconds in a bigint column', async () => {
    const { rows } = await agreement(planned('number', 'timestamptz', 'bigint', 'timestamptz'), [
      '1767225600123',
      '42',
    ]);
    expect(rows[0]?.source).toBe('2026-01-01T00:00:00.123Z');
    expect(rows[0]?.source).toBe(rows[0]?.target);
    expect(rows[1]?.converted).toBeNull();
    expect(rows[1]?.source).toMatch(/^invalid:/);
  });

  it('a timestamp exam_date becomes a date only at midnight', async () => {
    const { rows } = await agreement(planned('timestamp', 'date', 'timestamp', 'date'), [
      '2026-03-01 00:00:00',
      '2026-03-01 05:00:00',
    ]);
    expect(rows[0]).toMatchObject({ source: '2026-03-01', target: '2026-03-01' });
    expect(rows[1]?.converted).toBeNull();
    expect(rows[1]?.source).toMatch(/^invalid:/);
  });

  it('text dates', async () => {
    const { rows } = await agreement(planned('text', 'date', 'text', 'date'), ['2024-02-29', '2026-02-29', '2026-3-1']);
    expect(rows.map((r) => [r.source, r.target])).toEqual([
      ['2024-02-29', '2024-02-29'],
      ['invalid:2026-02-29', null],
      ['invalid:2026-3-1', null],
    ]);
  });

  it('text booleans and integers', async () => {
    const booleans = await agreement(planned('text', 'boolean', 'text', 'boolean'), ['true', 'false', 'yes']);
    expect(booleans.rows.map((r) => [r.source, r.target])).toEqual([
      ['true', 'true'],
      ['false', 'false'],
      ['invalid:yes', null],
    ]);
    const integers = await agreement(planned('text', 'integer', 'text', 'integer'), ['07', '-3', '2.5']);
    expect(integers.rows.map((r) => [r.source, r.target])).toEqual([
      ['7', '7'],
      ['-3', '-3'],
      ['invalid:2.5', null],
    ]);
  });
});
