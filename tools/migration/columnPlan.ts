import {
  type ColumnInfo,
  convertible,
  type SourceCategory,
  sourceCategory,
  type TargetKind,
  targetKind,
} from './columnTypes';
import type { TableMapping } from './tableMappings';

/** How one source column reaches its target column. */
export interface PlannedColumn {
  source: string;
  target: string;
  category: SourceCategory;
  kind: TargetKind;
  sourceType: string;
  targetType: string;
  /** The target refuses NULL here: a source NULL is a refused row unless `nullMeans` says what it stands for. */
  targetNotNull: boolean;
  nullMeans: string | undefined;
}

export interface ColumnPlan {
  table: TableMapping['table'];
  key: PlannedColumn;
  /** Every copied column, key included, in the source's column order. */
  columns: PlannedColumn[];
  /** Source columns left behind on purpose (--ignore-column). */
  ignored: string[];
  /** Target columns the source does not have: inserted with their defaults, never overwritten. */
  targetOnly: string[];
}

export interface PlanInput {
  mapping: TableMapping;
  source: readonly ColumnInfo[];
  target: readonly ColumnInfo[];
  /** Source column names of this table passed in --ignore-column. */
  ignore: ReadonlySet<string>;
  /** Column names db/schema declares for this table, to tell "not migrated" from "not in our schema". */
  schemaColumns: ReadonlySet<string>;
}

export type PlanResult = { ok: true; plan: ColumnPlan } | { ok: false; problems: string[] };

/** Pairs source and target columns; any column that would be dropped on the floor is a problem. */
export function planColumns({ mapping, source, target, ignore, schemaColumns }: PlanInput): PlanResult {
  const { table } = mapping;
  const problems: string[] = [];
  const targetByName = new Map(target.map((c) => [c.name, c]));
  const columns: PlannedColumn[] = [];
  const claimed = new Map<string, string>();

  for (const name of ignore) {
    if (!source.some((c) => c.name === name))
      problems.push(`--ignore-column ${table}.${name}: the source table has no such column`);
  }
  for (const column of source) {
    if (ignore.has(column.name)) continue;
    const targetName = mapping.renames[column.name] ?? column.name;
    const into = targetByName.get(targetName);
    if (!into) {
      problems.push(
        schemaColumns.has(targetName)
          ? `${table}.${column.name}: the target database lacks column ${targetName}; run \`npm run db:migrate\` against it first`
          : `${table}.${column.name} (${column.type}) has no column to go to in the target. ` +
              `Add it to db/schema (and generate a migration), or pass --ignore-column ${table}.${column.name} to leave its data behind`,
      );
      continue;
    }
    const previous = claimed.get(targetName);
    if (previous) {
      problems.push(`${table}.${column.name} and ${table}.${previous} would both fill target column ${targetName}`);
      continue;
    }
    claimed.set(targetName, column.name);
    const kind = targetKind(into);
    const category = sourceCategory(column);
    if (!kind || !convertible(kind, category)) {
      problems.push(
        `${table}.${column.name}: no conversion from the source's ${column.type} to the target's ${into.type}`,
      );
      continue;
    }
    columns.push({
      source: column.name,
      target: targetName,
      category,
      kind,
      sourceType: column.type,
      targetType: into.type,
      targetNotNull: into.notNull,
      nullMeans: mapping.nullMeans[targetName],
    });
  }

  const key = columns.find((c) => c.target === mapping.key);
  if (!key && !problems.some((p) => p.startsWith(`${table}.${mapping.key}`))) {
    problems.push(`${table}: the source has no ${mapping.key} column to match rows by (it cannot be ignored)`);
  }
  if (problems.length > 0 || !key) return { ok: false, problems };
  return {
    ok: true,
    plan: {
      table,
      key,
      columns,
      ignored: [...ignore],
      targetOnly: target.map((c) => c.name).filter((name) => !claimed.has(name)),
    },
  };
}
