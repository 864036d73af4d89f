/**
 * Quoting for the places SQL cannot bind a parameter (identifiers, JSON paths spliced into
 * generated SQL). Everything a person or a log wrote goes through these or through `$name`.
 */
export function quoteString(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL character cannot be used in SQL text');
  return `'${value.replaceAll("'", "''")}'`;
}

export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('a NUL character cannot be used in an SQL identifier');
  return `"${name.replaceAll('"', '""')}"`;
}
