import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isTableName, TABLE_NAMES, type TableName } from './tableMappings';

export interface CommonOptions {
  source: string;
  /** The source's search path: each table is read from the first of these schemas that has it. */
  sourceSchemas: string[];
  tables: TableName[];
  /** Per table, the source columns to leave behind. */
  ignore: Map<TableName, Set<string>>;
  report: string | undefined;
  limit: number;
}

export interface ImportOptions extends CommonOptions {
  batch: number;
  dryRun: boolean;
}

export type ParsedOptions<T> = { kind: 'options'; options: T } | { kind: 'help' } | { kind: 'error'; message: string };

/** The live layout: three tables in hubspot_sync, sync_metadata in public (older deployments: all in public). */
export const DEFAULT_SOURCE_SCHEMAS = 'hubspot_sync,public';

const common = {
  source: { type: 'string' },
  'source-schema': { type: 'string', default: DEFAULT_SOURCE_SCHEMAS },
  tables: { type: 'string', multiple: true },
  'ignore-column': { type: 'string', multiple: true },
  report: { type: 'string' },
  limit: { type: 'string', default: '20' },
  help: { type: 'boolean', short: 'h' },
} as const;

const importOnly = {
  batch: { type: 'string', default: '1000' },
  'dry-run': { type: 'boolean', default: false },
} as const;

class UsageError extends Error {}

function schemasFrom(raw: string): string[] {
  const schemas = raw.split(',').map((s) => s.trim());
  for (const schema of schemas)
    if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(schema))
      throw new UsageError(`--source-schema: "${schema}" is not a plain schema name (a list: a,b)`);
  return [...new Set(schemas)];
}

function positiveInt(name: string, raw: string, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got "${raw}")`);
  return Number(raw);
}

function tablesFrom(raw: string[] | undefined): TableName[] {
  if (!raw) return [...TABLE_NAMES];
  const named = raw
    .flatMap((r) => r.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of named)
    if (!isTableName(t)) throw new UsageError(`--tables: unknown table "${t}" (known: ${TABLE_NAMES.join(', ')})`);
  // Always in dependency order, whatever order they were named in.
  return TABLE_NAMES.filter((t) => named.includes(t));
}

function ignoresFrom(raw: string[] | undefined): Map<TableName, Set<string>> {
  const ignore = new Map<TableName, Set<string>>();
  for (const entry of (raw ?? []).flatMap((r) => r.split(','))) {
    const [table, column, ...rest] = entry.trim().split('.');
    if (!table || !column || rest.length > 0 || !isTableName(table)) {
      throw new UsageError(`--ignore-column takes table.column with one of the four tables (got "${entry}")`);
    }
    ignore.set(table, (ignore.get(table) ?? new Set()).add(column));
  }
  return ignore;
}

function commonFrom(values: Record<string, string | boolean | (string | boolean)[] | undefined>): CommonOptions {
  const source = values.source as string | undefined;
  if (!source) throw new UsageError('--source <postgres url> is required');
  if (!/^postgres(ql)?:\/\//.test(source)) throw new UsageError('--source must be a postgres:// or postgresql:// URL');
  return {
    source,
    sourceSchemas: schemasFrom(values['source-schema'] as string),
    tables: tablesFrom(values.tables as string[] | undefined),
    ignore: ignoresFrom(values['ignore-column'] as string[] | undefined),
    report: values.report as string | undefined,
    limit: positiveInt('limit', values.limit as string, 1_000_000),
  };
}

function parse<T>(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  build: (values: Record<string, string | boolean | (string | boolean)[] | undefined>) => T,
): ParsedOptions<T> {
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    if (values.help) return { kind: 'help' };
    return { kind: 'options', options: build(values) };
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return { kind: 'error', message: (err as Error).message };
    }
    throw err;
  }
}

export const parseImportArgs = (args: string[]): ParsedOptions<ImportOptions> =>
  parse(args, { ...common, ...importOnly }, (values) => ({
    ...commonFrom(values),
    batch: positiveInt('batch', values.batch as string, 50_000),
    dryRun: values['dry-run'] === true,
  }));

export const parseVerifyArgs = (args: string[]): ParsedOptions<CommonOptions> => parse(args, common, commonFrom);
