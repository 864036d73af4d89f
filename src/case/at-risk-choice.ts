import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * `breach.at_risk`: the documents the flaw exposed, beyond those the logs show were taken.
 * `owners` (the default): every document of the owners file; `accessed`: those a request named in
 * the window; `file`: the ids a CSV lists (absolute path here).
 */
export type AtRiskChoice = { readonly kind: 'owners' } | { readonly kind: 'accessed' } | { readonly kind: 'file'; readonly path: string };

export const AT_RISK_KEYWORDS = ['owners', 'accessed'] as const;

/** The keywords as written; anything else is a path relative to the case file (`./owners` names a file called owners). */
export function parseAtRisk(value: string | undefined, dir: string): AtRiskChoice {
  if (value === undefined || value === 'owners') return { kind: 'owners' };
  if (value === 'accessed') return { kind: 'accessed' };
  return { kind: 'file', path: path.resolve(dir, value) };
}

/** A named file must exist when the case file loads, before any log is read. */
export function atRiskProblems(value: unknown, dir: string): { path: readonly string[]; what: string; help: string }[] {
  if (typeof value !== 'string' || value === '') return [];
  const choice = parseAtRisk(value, dir);
  if (choice.kind !== 'file' || existsSync(choice.path)) return [];
  return [{ path: ['breach', 'at_risk'], what: `file not found: ${value}`, help: `write owners, accessed, or the path (relative to ${dir}) of a CSV with a document_id column` }];
}
