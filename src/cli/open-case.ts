import path from 'node:path';
import { loadCaseFile, type CaseFile } from '../case/case-file.js';
import { Store } from '../db/store.js';

export function storeDir(caseFile: CaseFile, db: string | undefined): string {
  return db ? path.resolve(db) : path.join(caseFile.dir, '.breachscope');
}

/** Loads and validates the case file, then opens its store (exit 3 if another process holds it). */
export async function openCase(casePath: string, db: string | undefined): Promise<{ caseFile: CaseFile; store: Store }> {
  const caseFile = loadCaseFile(casePath);
  const store = await Store.open(storeDir(caseFile, db));
  return { caseFile, store };
}
