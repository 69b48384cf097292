/** Quoting for the identifiers and literals the toolkit splices into SQL it builds from catalog names. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

export const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

/** A string literal that means the same whatever `standard_conforming_strings` says. */
export function literal(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
