import type pg from 'pg';
import type { ColumnPlan } from './columnPlan';
import { digestColumns } from './normalizeSql';
import { bucketDigests, bucketPrefixLength, type DrilledRow, rowsInBuckets, rowsWithoutKey } from './rowDigests';
import { requireRowsVisible } from './rowSecurity';
import { countRows } from './sourceRows';
import { TARGET_SCHEMA } from './upsertBatch';

export interface ColumnDifference {
  column: string;
  /** The source column's name, where the live table calls it something else. */
  sourceColumn?: string;
  source: unknown;
  target: unknown;
}

export interface Difference {
  table: string;
  /** missing: in the source, not the target; extra: the other way; changed: both, with other values. */
  kind: 'missing' | 'extra' | 'changed' | 'duplicate-key' | 'no-key';
  key: string | null;
  /** The row's HubSpot id beside our key, where the key is our own id (bookings). */
  hubspotId?: string | null;
  columns?: ColumnDifference[];
  /** For duplicate-key and no-key: how many source rows. */
  rows?: number;
}

export interface TableVerifyResult {
  table: string;
  sourceRows: number;
  targetRows: number;
  buckets: number;
  differingBuckets: number;
  missing: number;
  extra: number;
  changed: number;
  duplicateKeys: number;
  sourceRowsWithoutKey: number;
  differences: number;
  seconds: number;
}

export interface VerifyTableContext {
  source: pg.ClientBase;
  target: pg.ClientBase;
  /** The schema the table was found in (search path), and its filled relation (sourceFills.ts). */
  sourceSchema: string;
  relation: string;
  onDifference(difference: Difference): void;
}

/** At most about this many rows per side are held while drilling into differing buckets. */
const DRILL_ROWS = 20_000;

function changedColumns(plan: ColumnPlan, source: DrilledRow, target: DrilledRow): ColumnDifference[] {
  const columns = digestColumns(plan);
  const a = JSON.parse(source.values) as unknown[];
  const b = JSON.parse(target.values) as unknown[];
  return columns.flatMap((column, i) =>
    a[i] === b[i]
      ? []
      : [
          {
            column: column.target,
            ...(column.source !== column.target ? { sourceColumn: column.source } : {}),
            source: a[i],
            target: b[i],
          },
        ],
  );
}

/**
 * Compares one table: counts, then per-bucket digests computed by each database, then row by row only
 * inside the buckets whose digests differ. A clean table costs one aggregate query per side.
 */
export async function verifyTable(ctx: VerifyTableContext, plan: ColumnPlan): Promise<TableVerifyResult> {
  const started = Date.now();
  const { source, target, sourceSchema: schema, relation } = ctx;
  const [sourceRows, targetRows] = await Promise.all([
    countRows(source, schema, plan.table),
    countRows(target, TARGET_SCHEMA, plan.table),
  ]);
  await requireRowsVisible(source, schema, plan.table, sourceRows);
  const prefix = bucketPrefixLength(Math.max(sourceRows, targetRows));
  const [sourceBuckets, targetBuckets] = await Promise.all([
    bucketDigests(source, plan, 'source', relation, prefix),
    bucketDigests(target, plan, 'target', relation, prefix),
  ]);
  const names = new Set([...sourceBuckets.keys(), ...targetBuckets.keys()]);
  const differing = [...names].filter((b) => sourceBuckets.get(b)?.hash !== targetBuckets.get(b)?.hash).sort();

  const result = { missing: 0, extra: 0, changed: 0, duplicateKeys: 0 };
  const report = (difference: Difference) => ctx.onDifference(difference);
  const perBucket = Math.max(sourceRows, targetRows) / 16 ** prefix;
  const groupSize = Math.max(1, Math.floor(DRILL_ROWS / Math.max(1, perBucket)));
  for (let i = 0; i < differing.length; i += groupSize) {
    const group = differing.slice(i, i + groupSize);
    const [fromSource, fromTarget] = await Promise.all([
      rowsInBuckets(source, plan, 'source', relation, prefix, group),
      rowsInBuckets(target, plan, 'target', relation, prefix, group),
    ]);
    const targetByKey = new Map(fromTarget.map((r) => [r.key, r]));
    const sourceByKey = new Map<string, DrilledRow>();
    const sharedKeys = new Map<string, number>();
    for (const row of fromSource) {
      if (sourceByKey.has(row.key)) sharedKeys.set(row.key, (sharedKeys.get(row.key) ?? 1) + 1);
      sourceByKey.set(row.key, row);
    }
    for (const [key, rows] of sharedKeys) {
      result.duplicateKeys += 1;
      report({ table: plan.table, kind: 'duplicate-key', key, rows });
    }
    for (const [key, row] of sourceByKey) {
      if (sharedKeys.has(key)) continue;
      const other = targetByKey.get(key);
      const at =
        row.hubspotId === null && other?.hubspotId == null ? {} : { hubspotId: row.hubspotId ?? other?.hubspotId };
      if (!other) {
        result.missing += 1;
        report({ table: plan.table, kind: 'missing', key, ...at });
      } else if (other.digest !== row.digest) {
        result.changed += 1;
        report({ table: plan.table, kind: 'changed', key, ...at, columns: changedColumns(plan, row, other) });
      }
    }
    for (const [key, row] of targetByKey) {
      if (sourceByKey.has(key)) continue;
      result.extra += 1;
      report({
        table: plan.table,
        kind: 'extra',
        key,
        ...(row.hubspotId === null ? {} : { hubspotId: row.hubspotId }),
      });
    }
  }

  const sourceRowsWithoutKey = await rowsWithoutKey(source, plan, 'source', relation);
  if (sourceRowsWithoutKey > 0) report({ table: plan.table, kind: 'no-key', key: null, rows: sourceRowsWithoutKey });
  const differences = result.missing + result.extra + result.changed + result.duplicateKeys + sourceRowsWithoutKey;
  return {
    table: plan.table,
    sourceRows,
    targetRows,
    buckets: names.size,
    differingBuckets: differing.length,
    ...result,
    sourceRowsWithoutKey,
    differences,
    seconds: (Date.now() - started) / 1000,
  };
}
