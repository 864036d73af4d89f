import assert from 'node:assert/strict';
import { Store } from '../../src/db/store.js';
import { makeCase, runCli } from '../helpers.js';

export { copySample } from '../helpers.js';

/** A CSV file's rows, every value as text (read by DuckDB, as a person's spreadsheet would). */
export async function readCsv(file: string): Promise<Record<string, string | null>[]> {
  const store = await Store.memory();
  try {
    return (await store.all(`SELECT * FROM read_csv($f, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`, { f: file })) as Record<string, string | null>[];
  } finally {
    store.close();
  }
}

/** `report` with a pinned generated-at, asserting exit 0; returns the counted accesses it printed. */
export function report(casePath: string, out: string, extra: string[] = []): { summary: number } {
  const r = runCli(['report', casePath, '--out', out, '--generated-at', '2015-04-20T12:00:00Z', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return { summary: Number(/^([\d,]+) unauthorized/.exec(r.stdout)![1]!.replaceAll(',', '')) };
}

/**
 * A combined log of n counted accesses (every request a visitor account reading an owner's
 * document, as /work/shared/hooks/before-stop generates them) and its owners file.
 */
export function largeCase(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const mm = String(Math.floor(i / 60) % 60).padStart(2, '0');
    const ss = String(i % 60).padStart(2, '0');
    lines.push(`198.51.${Math.floor(i / 250) % 250}.${i % 250} - visitor${i % 97} [20/Mar/2015:10:${mm}:${ss} +0000] "GET /docs/D${i % 700} HTTP/1.1" 200 512 "-" "x"`);
  }
  const owners = Array.from({ length: Math.min(n, 700) }, (_, d) => `D${d},owner${d}`);
  return makeCase('case: large pack\nsources:\n  - {name: web, path: logs/access.log, format: combined}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n', {
    'logs/access.log': `${lines.join('\n')}\n`,
    'owners.csv': `document_id,owner_account\n${owners.join('\n')}\n`,
  });
}

