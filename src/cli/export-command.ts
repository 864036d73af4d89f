import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../export/write-export.js';
import { analyzeCase } from '../analyze/analysis.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { toolVersion } from '../util/project-root.js';
import { plural } from '../util/plural.js';
import { UserError } from '../util/user-error.js';
import { openCase, printWarnings } from './open-case.js';

/** Checks the options before any log is read: a typo in --to must not cost an ingest. */
function checkOptions(o: { to: string; out: string }): { format: ExportFormat; out: string } {
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.to)) {
    throw new UserError({ what: `--to '${terminalSafe(o.to)}' is not an export format`, help: `choose one of ${EXPORT_FORMATS.join(', ')}` });
  }
  const out = path.resolve(o.out);
  if (existsSync(out) && !statSync(out).isFile()) throw new UserError({ what: `--out ${terminalSafe(o.out)} is not a file`, help: 'name a file to write, e.g. --out timeline.jsonl.gz' });
  if (!existsSync(path.dirname(out))) throw new UserError({ what: `--out: the folder ${terminalSafe(path.dirname(out))} does not exist`, help: 'create it first, or name a file in an existing folder' });
  return { format: o.to as ExportFormat, out };
}

export async function exportCommand(casePath: string, o: { to: string; out: string; all?: boolean; db?: string; gapHours: number }): Promise<void> {
  const { format, out } = checkOptions(o);
  const { caseFile, store } = await openCase(casePath, o.db, { shared: true });
  try {
    await ingestCase(store, caseFile, Progress.forStderr());
    const analysis = await analyzeCase(store, caseFile, 10, { gapHours: o.gapHours });
    printWarnings(analysis.warnings);
    const n = await writeExport(store, { format, out, all: Boolean(o.all), hasSubjects: caseFile.documents.subjects !== undefined, caseTitle: caseFile.title, toolVersion: toolVersion() });
    const what = o.all ? plural(n, 'document request') : plural(n, 'counted unauthorized access', 'counted unauthorized accesses');
    process.stdout.write(`${what} written to ${terminalSafe(out)} as ${format} JSON lines${out.endsWith('.gz') ? ' (gzip)' : ''}.\n`);
  } finally {
    store.close();
  }
}
