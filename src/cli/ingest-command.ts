import path from 'node:path';
import { ingestCase, IngestFailure, type FileReport } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { clip, terminalSafe } from '../util/terminal-safe.js';
import { findOverlaps } from '../db/selection.js';
import { plural } from '../util/plural.js';
import { ingestJson } from './json-output.js';
import { openCase } from './open-case.js';
import { fileSha256, inShard, parseShard } from '../ingest/shard.js';
import { UserError } from '../util/user-error.js';

export async function ingestCommand(casePath: string, o: { db?: string; json?: boolean; shard?: string; parquet?: string }): Promise<void> {
  if (o.shard !== undefined && o.parquet === undefined) {
    throw new UserError({ what: '--shard needs --parquet DIR', why: 'shards meet only in a Parquet set: a store holds one shard and nothing unites stores', help: 'add --parquet DIR (the same DIR, or the same bucket, for every shard)' });
  }
  const shard = o.shard === undefined ? { index: 1, count: 1 } : parseShard(o.shard);
  const keep = o.shard === undefined ? undefined : async (f: { abs: string }) => inShard(await fileSha256(f.abs), shard);
  const { caseFile, store } = await openCase(casePath, o.db);
  try {
    let reports: readonly FileReport[];
    try {
      reports = await ingestCase(store, caseFile, Progress.forStderr(), { keep });
    } catch (e) {
      if (e instanceof IngestFailure) printReports(e.reports, Boolean(o.json));
      throw e;
    }
    printReports(reports, Boolean(o.json));
    // Stored all the same: which lines count is decided when a case is analyzed, which refuses these.
    for (const m of await findOverlaps(store)) process.stderr.write(`warning: ${terminalSafe(m.what)}; analyze refuses to count them: ${terminalSafe(m.help ?? '')}\n`);
    if (o.parquet !== undefined) {
      const { writeParquetSet } = await import('../export/parquet-set.js');
      const m = await writeParquetSet(store, caseFile, path.resolve(o.parquet), shard);
      const written = m.files.reduce((n, f) => n + f.parquet.length, 0);
      process.stderr.write(`parquet: shard ${m.shard}: ${m.files.length} log file(s), ${written} events file(s) and the reference data written to ${terminalSafe(o.parquet)}\n`);
    }
  } finally {
    store.close();
  }
}

function printReports(reports: readonly FileReport[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(ingestJson(reports), null, 2)}\n`);
    return;
  }
  process.stdout.write(renderIngestReport(reports));
}

export function renderIngestReport(reports: readonly FileReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    const counts = r.status === 'skipped' || r.status === 'failed' || r.status === 'ignored' ? '' : `  lines ${r.lines.toLocaleString('en')}  rejected ${r.rejected.toLocaleString('en')}${r.comments ? `  comments ${r.comments}` : ''}`;
    // A file that failed before it was hashed, or a path that is not a file, has no SHA-256 to show.
    out.push(`${r.status.padEnd(8)} ${terminalSafe(r.source)}  ${terminalSafe(r.path)}  ${r.format ?? '-'}${counts}${r.sha256 ? `  sha256 ${r.sha256}` : ''}`);
    if (r.formatReason) out.push(`         format: ${terminalSafe(r.formatReason)}`);
    if (r.note) out.push(`         note: ${terminalSafe(r.note)}`);
    for (const w of r.warnings) out.push(`         warning: ${terminalSafe(w)}`);
    for (const x of r.rejectExamples) out.push(`         rejected ${terminalSafe(r.path)}:${x.line}: ${clip(x.reason, 160)}`);
    if (r.rejected > r.rejectExamples.length) out.push(`         ... ${r.rejected - r.rejectExamples.length} more rejected lines (all are in the store's rejects table)`);
  }
  const ingested = reports.filter((r) => r.status === 'ingested' || r.status === 'appended');
  const sum = (k: 'lines' | 'rejected') => ingested.reduce((n, r) => n + r[k], 0);
  const ignored = reports.filter((r) => r.status === 'ignored').length;
  out.push(
    `${plural(ingested.length, 'file')} read, ${reports.filter((r) => r.status === 'skipped').length} already in the store${ignored ? `, ${plural(ignored, 'matched path')} not files` : ''}; ` +
      `${plural(sum('lines'), 'line')}, ${sum('rejected').toLocaleString('en')} rejected`,
  );
  return `${out.join('\n')}\n`;
}
