import type pg from 'pg';
import type { ColumnPlan } from './columnPlan';
import { convertRow, hubspotIdOf, type RowProblem } from './convertRow';
import { progressPrinter, rate } from './progress';
import { requireRowsVisible } from './rowSecurity';
import { countRows, duplicateKeys, type SourcePage, sourcePager } from './sourceRows';
import { type BatchResult, BatchWriter, type ConvertedRow } from './upsertBatch';

export interface TableImportResult {
  table: string;
  total: number;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  refused: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface ImportTableContext {
  source: pg.ClientBase;
  target: pg.ClientBase;
  /** The schema the table was found in (search path), and its filled relation (sourceFills.ts). */
  sourceSchema: string;
  relation: string;
  batch: number;
  dryRun: boolean;
  primaryKey: string[];
  constraintColumns: Map<string, string[]>;
  onProblem(problem: RowProblem): void;
  write(line: string): void;
}

/**
 * Copies one table page by page. While a page is being converted and written, the next one is already
 * being read, so at most two pages are ever held: memory does not grow with the table.
 */
export async function importTable(ctx: ImportTableContext, plan: ColumnPlan): Promise<TableImportResult> {
  const started = Date.now();
  const total = await countRows(ctx.source, ctx.sourceSchema, plan.table);
  await requireRowsVisible(ctx.source, ctx.sourceSchema, plan.table, total);
  const duplicates = await duplicateKeys(ctx.source, ctx.relation, plan);
  const page = sourcePager(ctx.source, ctx.relation, plan, ctx.primaryKey, ctx.batch);
  const writer = new BatchWriter(ctx.target, plan, ctx.constraintColumns);
  const progress = progressPrinter(plan.table, total, ctx.write);
  const result = { table: plan.table, total, read: 0, inserted: 0, updated: 0, unchanged: 0, refused: 0 };

  const tally = (written: BatchResult) => {
    result.inserted += written.inserted;
    result.updated += written.updated;
    result.unchanged += written.unchanged;
    result.refused += written.problems.length;
    for (const problem of written.problems) ctx.onProblem(problem);
  };

  // Three stages overlap: page n+1 is read while page n is converted here and page n-1 is written.
  let pending: Promise<SourcePage> | undefined = page(undefined);
  let writing: Promise<BatchResult> | undefined;
  while (pending) {
    const { rows, next }: SourcePage = await pending;
    pending = next ? page(next) : undefined;
    // If something fails first, a read or write in flight must not surface later as an unhandled rejection.
    pending?.catch(() => undefined);

    const good: ConvertedRow[] = [];
    const refusedHere: RowProblem[] = [];
    for (const source of rows) {
      const key = source[plan.key.source];
      const shared = typeof key === 'string' ? duplicates.get(key) : undefined;
      if (shared) {
        result.refused += 1;
        refusedHere.push({
          table: plan.table,
          key: key as string,
          hubspotId: hubspotIdOf(plan, source),
          column: plan.key.source,
          value: key,
          reason: `${shared} source rows share this ${plan.key.source}; the target keeps one row per ${plan.key.target}, so none is copied until the source is fixed`,
        });
        continue;
      }
      const outcome = convertRow(plan, source);
      if (outcome.ok) good.push({ key: typeof key === 'string' ? key : null, row: outcome.row, source });
      else {
        result.refused += 1;
        refusedHere.push(...outcome.problems);
      }
    }
    // Reported in page order: the previous page's write, then this page's conversion problems.
    if (writing) tally(await writing);
    for (const problem of refusedHere) ctx.onProblem(problem);
    writing = ctx.dryRun ? writer.dryRun(good) : writer.write(good);
    writing.catch(() => undefined);
    result.read += rows.length;
    progress(result.read);
  }
  if (writing) tally(await writing);
  progress(result.read, true);
  const ms = Date.now() - started;
  return { ...result, seconds: ms / 1000, rowsPerSecond: rate(result.read, ms) };
}
