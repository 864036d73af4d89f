import path from 'node:path';
import { loadCaseFile, type CaseFile } from '../case/case-file.js';
import { checkCaseWithDuckDb } from '../case/duckdb-checks.js';
import { Store } from '../db/store.js';
import type { Warning } from '../analyze/warnings.js';
import { terminalSafe } from '../util/terminal-safe.js';

export function storeDir(caseFile: CaseFile, db: string | undefined): string {
  return db ? path.resolve(db) : path.join(caseFile.dir, '.breachscope');
}

/** Prints the case file's warnings on stderr, one `warning:` line each. */
export function printCaseWarnings(caseFile: CaseFile): void {
  for (const w of caseFile.warnings) process.stderr.write(`warning: ${terminalSafe(w)}\n`);
}

/**
 * Loads and validates the case file (its regexes and time formats compiled by DuckDB too), prints
 * its warnings, then opens its store (exit 3 if another process holds it).
 */
export async function openCase(casePath: string, db: string | undefined, o: { shared?: boolean } = {}): Promise<{ caseFile: CaseFile; store: Store }> {
  const caseFile = loadCaseFile(casePath);
  await checkCaseWithDuckDb(caseFile);
  printCaseWarnings(caseFile);
  const store = await Store.open(storeDir(caseFile, db), o);
  return { caseFile, store };
}

/** Warnings go to stderr whatever stdout carries (text or --json), so a piped run still shows them. */
export function printWarnings(warnings: readonly Warning[]): void {
  // The case file's own warnings were printed when it loaded (printCaseWarnings); --json carries them too.
  for (const w of warnings) if (w.code !== 'case_file') process.stderr.write(`warning: ${w.code}: ${terminalSafe(w.message)}\n`);
}
