/**
 * An error fit for the log: a failed query's SQL and Postgres' diagnosis (SQLSTATE, constraint,
 * table, column), never the values it carried. Drizzle puts every bound parameter into its message
 * ("params: S123,Ada Lovelace,ada@…") and Postgres' `detail` quotes the failing row, so a failed
 * booking insert would otherwise log the student's ID, name and email.
 */

interface QueryError extends Error {
  query: string;
  params: unknown[];
}

const isQueryError = (err: unknown): err is QueryError =>
  err instanceof Error &&
  typeof (err as Partial<QueryError>).query === 'string' &&
  Array.isArray((err as Partial<QueryError>).params);

/** Postgres' fields that name things, not values (`detail`, `where`, `internalQuery` can quote data). */
const SAFE_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

function postgresDiagnosis(err: unknown): Error | undefined {
  if (!(err instanceof Error)) return undefined;
  const safe = new Error(err.message);
  safe.name = err.name;
  safe.stack = `${err.name}: ${err.message}`;
  for (const field of SAFE_FIELDS) {
    const value = (err as unknown as Record<string, unknown>)[field];
    if (value !== undefined) Object.assign(safe, { [field]: value });
  }
  return safe;
}

export function withoutRowData(err: unknown): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (!isQueryError(e)) continue;
    const safe = new Error(`Failed query: ${e.query}`, { cause: postgresDiagnosis(e.cause) });
    safe.name = 'QueryError';
    Object.assign(safe, { paramCount: e.params.length });
    return safe;
  }
  return err;
}
