import path from 'node:path';
import type { Analysis } from '../findings/analysis.js';
import type { FileReport } from '../ingest/ingest.js';
import { projectRoot } from '../util/project-root.js';

/** The shape of `ingest --json` and `analyze --json`: raised when a key is renamed or removed. */
export const JSON_SCHEMA_VERSION = 1;

/** A detector file as the package names it (`queries/x.sql`); a file outside the package keeps its absolute path. */
export function packagePath(file: string): string {
  const rel = path.relative(projectRoot(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/** `analyze --json`: snake_case keys, as `ingest --json`. */
export function analysisJson(a: Analysis): Record<string, unknown> {
  return { schema_version: JSON_SCHEMA_VERSION, ...a, detectors: a.detectors.map((d) => ({ ...d, file: packagePath(d.file) })) };
}

/** One file of `ingest --json`, in the key style of `analyze --json` (snake_case); absent facts are left out, as before. */
function fileReportJson(r: FileReport): Record<string, unknown> {
  const { formatReason, rejectExamples, ...rest } = r;
  return { ...rest, format_reason: formatReason, reject_examples: rejectExamples };
}

/** `ingest --json`: one object, `{schema_version, files: [...]}`. */
export function ingestJson(reports: readonly FileReport[]): Record<string, unknown> {
  return { schema_version: JSON_SCHEMA_VERSION, files: reports.map(fileReportJson) };
}
