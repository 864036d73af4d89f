// The text of the lines a store holds, for tests that pin it byte for byte. The fast path keeps a
// line's hash and length, not its text (src/ingest/quoted-lines.ts reads it again where it is
// quoted): for such a line the text is the line of that number in the file it was read from, and
// it counts only if DuckDB's hash and the length of that text are the ones stored.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Store } from '../../src/db/store.js';

export interface StoredLine {
  readonly path: string;
  readonly line: number;
  readonly raw: string;
  /** Whether the store kept the text (the general reader), or only its hash and length (the fast path). */
  readonly kept: boolean;
}

/**
 * Every stored line of the events (and, with `rejects`, the rejected lines) of the case's store,
 * ordered by file path and line. `where` filters events by SQL over `e` and `f` (files).
 */
export async function storedText(casePath: string, o: { where?: string } = {}): Promise<StoredLine[]> {
  const store = await Store.open(path.join(path.dirname(casePath), '.breachscope'));
  try {
    const rows = (await store.all(
      `SELECT f.path, f.abs_path, l.line, l.raw, l.len, l.h::VARCHAR AS h
       FROM events e JOIN lines l USING (file_id, line) JOIN files f USING (file_id)
       ${o.where ? `WHERE ${o.where}` : ''} ORDER BY f.path, l.line`,
    )) as { path: string; abs_path: string; line: number; raw: string | null; len: number; h: string }[];
    const texts = new Map<string, string[]>();
    const reread = rows.filter((r) => r.raw === null).map((r) => fileLine(texts, r.abs_path, r.line));
    const check = reread.length === 0 ? [] : ((await store.all('SELECT hash(t)::VARCHAR AS h, strlen(t) AS len FROM (SELECT unnest($t) AS t)', { t: reread })) as { h: string; len: number }[]);
    let k = 0;
    return rows.map((r) => {
      if (r.raw !== null) return { path: r.path, line: r.line, raw: r.raw, kept: true };
      const text = reread[k]!;
      assert.deepEqual([check[k]!.h, check[k]!.len], [r.h, r.len], `${r.path}:${r.line}: the file's line has the hash and length stored`);
      k++;
      return { path: r.path, line: r.line, raw: text, kept: false };
    });
  } finally {
    store.close();
  }
}

/** The file's line of that number, as it is now (read once per call into `texts`). */
function fileLine(texts: Map<string, string[]>, file: string, line: number): string {
  let lines = texts.get(file);
  if (!lines) {
    const bytes = readFileSync(file);
    lines = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8').split('\n');
    texts.set(file, lines);
  }
  return lines[line - 1]!;
}
