import type { ColumnPlan } from './columnPlan';
import { convertValue, type SourceValue } from './convertValue';
import { type TargetRow, targetRuleViolations } from './targetRules';

/** A row the import will not write, and why: enough for an operator to find and fix it in the source. */
export interface RowProblem {
  table: string;
  key: string | null;
  /** The row's HubSpot id, where the key is our own id (bookings): what an operator looks up. */
  hubspotId?: string | null;
  column: string;
  value: unknown;
  reason: string;
}

export type SourceRow = Record<string, SourceValue | null>;
export type RowOutcome = { ok: true; row: TargetRow } | { ok: false; problems: RowProblem[] };

// Runs once per row of a possibly huge table: plain loops, no closures made per row or per column.
const sourceNames = new WeakMap<ColumnPlan, Map<string, string>>();
function sourceNameOf(plan: ColumnPlan, target: string): string {
  let names = sourceNames.get(plan);
  if (!names) {
    names = new Map(plan.columns.map((c) => [c.target, c.source]));
    sourceNames.set(plan, names);
  }
  return names.get(target) ?? target;
}

/** The source row's hubspot_id when the table is keyed by something else (bookings by id). */
export function hubspotIdOf(plan: ColumnPlan, source: SourceRow): string | null | undefined {
  if (plan.key.target === 'hubspot_id') return undefined;
  const column = plan.columns.find((c) => c.target === 'hubspot_id');
  if (!column) return undefined;
  const value = source[column.source];
  return typeof value === 'string' ? value : null;
}

/**
 * Converts every planned column; a row with any problem is refused whole, never half-converted. Every
 * problem of the row is reported at once: the target's rules are checked on the columns that did
 * convert, even when another column failed.
 */
export function convertRow(plan: ColumnPlan, source: SourceRow): RowOutcome {
  const keyValue = source[plan.key.source];
  const key = typeof keyValue === 'string' ? keyValue : null;
  const hubspotId = hubspotIdOf(plan, source);
  const at = hubspotId === undefined ? { key } : { key, hubspotId };
  const problems: RowProblem[] = [];
  const row: TargetRow = {};
  for (const column of plan.columns) {
    const value = source[column.source] ?? null;
    if (value === null) {
      if (column.nullMeans !== undefined) row[column.target] = column.nullMeans;
      else if (column.targetNotNull)
        problems.push({
          table: plan.table,
          ...at,
          column: column.source,
          value,
          reason: 'NULL, but the target requires a value',
        });
      else row[column.target] = null;
      continue;
    }
    const converted = convertValue(column.kind, column.category, value);
    if (converted.ok) row[column.target] = converted.value;
    else {
      const reason = `${converted.reason} (source ${column.sourceType} → target ${column.targetType})`;
      problems.push({ table: plan.table, ...at, column: column.source, value, reason });
    }
  }
  // Columns that failed above are absent from `row`, so the rules skip them: no problem twice.
  const failed = new Set(problems.map((p) => p.column));
  for (const violation of targetRuleViolations(plan.table, row)) {
    const sourceName = sourceNameOf(plan, violation.column);
    if (failed.has(sourceName)) continue;
    problems.push({
      table: plan.table,
      ...at,
      column: sourceName,
      value: source[sourceName] ?? null,
      reason: violation.reason,
    });
  }
  return problems.length === 0 ? { ok: true, row } : { ok: false, problems };
}
