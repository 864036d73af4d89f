import path from 'node:path';
import { loadCaseFile, type CaseFile } from '../case/case-file.js';
import { Store } from '../db/store.js';
import type { Warning } from '../findings/warnings.js';
import { terminalSafe } from '../report/terminal-safe.js';

export function storeDir(caseFile: CaseFile, db: string | undefined): string {
  return db ? path.resolve(db) : path.join(caseFile.dir, '.breachscope');
}

/** Loads and validates the case file, then opens its store (exit 3 if another process holds it). */
export async function openCase(casePath: string, db: string | undefined): Promise<{ caseFile: CaseFile; store: Store }> {
  const caseFile = loadCaseFile(casePath);
  const store = await Store.open(storeDir(caseFile, db));
  return { caseFile, store };
}

/** Warnings go to stderr whatever stdout carries (text or --json), so a piped run still shows them. */
export function printWarnings(warnings: readonly Warning[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w.code}: ${terminalSafe(w.message)}\n`);
}
