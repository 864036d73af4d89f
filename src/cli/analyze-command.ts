import { analyzeCase } from '../analyze/analysis.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { renderTextReport } from '../report/text-report.js';
import { analysisJson } from './json-output.js';
import { openCase, printWarnings } from './open-case.js';
import { generatedAt } from './generated-at.js';
import { figureEngine, type EngineOptions } from './engine-option.js';

export async function analyzeCommand(casePath: string, o: { db?: string; json?: boolean; top: number; gapHours?: number } & EngineOptions): Promise<void> {
  const { caseFile, store } = await openCase(casePath, o.db, { shared: true });
  try {
    await ingestCase(store, caseFile, Progress.forStderr());
    const engine = await figureEngine(o, store, caseFile);
    const analysis = await analyzeCase(store, caseFile, o.top, { gapHours: o.gapHours, engine, reportedAt: generatedAt(undefined) });
    printWarnings(analysis.warnings);
    process.stdout.write(o.json ? `${JSON.stringify(analysisJson(analysis), null, 2)}\n` : renderTextReport(analysis, caseFile.timezone));
  } finally {
    store.close();
  }
}
