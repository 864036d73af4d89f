import type { Block } from './section.js';

/** Rows shown per table; the evidence files hold every row. */
export const TABLE_ROWS = 500;

/** A table block: at most TABLE_ROWS rows, the cap sentence and the count of rows left out as its note. */
export function tableBlock(headers: readonly string[], rows: readonly (readonly unknown[])[], empty: string, cap = ''): Block {
  const shown = rows.slice(0, TABLE_ROWS);
  const more = rows.length > shown.length ? `${(rows.length - shown.length).toLocaleString('en-US')} more rows in evidence.csv.` : '';
  return { kind: 'table', headers, rows: shown, empty, note: [cap, more].filter(Boolean).join(' ') };
}
