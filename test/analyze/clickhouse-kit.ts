import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, type AnalyzeJson } from '../helpers.js';

/** Why the ClickHouse tests are skipped (chdb is an optional install), or false when it is installed. */
export function chdbSkip(what: string): string | false {
  try {
    createRequire(path.join(ROOT, 'package.json')).resolve('chdb');
    return false;
  } catch {
    return `chdb is not installed: run \`npm run setup:clickhouse\` to run the ${what}`;
  }
}

type Full = AnalyzeJson & { context: unknown; top: unknown };

/** What must not depend on the engine: summary, context, top lists and each detector's count. */
export const figures = (a: AnalyzeJson) => {
  const f = a as Full;
  return { summary: f.summary, context: f.context, top: f.top, detectors: f.detectors.map((d) => ({ id: d.id, findings: d.findings, error: d.error })) };
};
