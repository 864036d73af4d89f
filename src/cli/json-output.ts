import type { Analysis } from '../analyze/analysis.js';
import type { FileReport } from '../ingest/ingest.js';
import { packagePath } from '../util/project-root.js';

/** The shape of `ingest --json` and `analyze --json`: raised when a key is renamed or removed. */
export const JSON_SCHEMA_VERSION = 1;

export { packagePath };

/** `analyze --json`: snake_case keys, as `ingest --json`. */
export function analysisJson(a: Analysis): Record<string, unknown> {
  return { schema_version: JSON_SCHEMA_VERSION, ...a };
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
