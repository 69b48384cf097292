import type { Config } from '../../server/config';

/** Which database a CLI is about to touch, as its first line says it (no password, ever). */
export function describeDatabase(database: Config['database']): string {
  if (database.kind === 'pglite') return `embedded PGlite database in ${database.dataDir}`;
  return `Postgres database "${database.database}" on ${database.host}:${database.port} as "${database.user}"`;
}
