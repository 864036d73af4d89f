import { statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { entryKind, globBase } from '../ingest/resolve-source.js';
import { examine } from '../ingest/prepass.js';
import { unsupportedCompression } from '../ingest/read-content.js';
import { sniffFormat } from '../ingest/sniff.js';
import { UserError } from '../util/user-error.js';
import { timeEvidence, zoneVerdict } from './time-evidence.js';

/** What `init` learns of one file before any of it is stored. */
export interface SurveyedFile {
  readonly abs: string;
  /** Relative to the folder the case file is written to, `/`-separated: as the case file names it. */
  readonly rel: string;
  readonly bytes: number;
  readonly lines: number;
  /** The format `auto` would read it with, and why; undefined when it is not read (see `skipped`). */
  readonly format: string | undefined;
  readonly reason: string;
  readonly zone: { readonly needsZone: boolean; readonly evidence: string };
  /** Why the file is left out of the case. */
  readonly skipped: string | undefined;
}

/** Files that are not logs and sit beside them in a case folder. */
const NOT_LOGS = /\.(ya?ml|csv|md|duckdb|pdf|html|json\.minisig|minisig|pub|key)$/i;

/**
 * The files a folder (every file below it, hidden folders excepted) or a glob names, each sniffed
 * as `auto` would: the same sniffer, on the same sample, so `init` and `ingest` agree on formats.
 */
export async function surveyFiles(input: string, outDir: string, outFile: string): Promise<SurveyedFile[]> {
  const abs = path.resolve(input);
  const st = statSync(abs, { throwIfNoEntry: false });
  let files: string[];
  if (st?.isDirectory()) files = fg.sync('**/*', { cwd: abs, onlyFiles: true, dot: false, followSymbolicLinks: false, suppressErrors: true }).map((f) => path.join(abs, f));
  else if (st?.isFile()) files = [abs];
  else {
    const { cwd, glob } = globBase(process.cwd(), input);
    files = fg.sync(glob, { cwd, onlyFiles: true, dot: false, followSymbolicLinks: false, suppressErrors: true }).map((f) => path.join(cwd, f));
  }
  files = files.filter((f) => path.resolve(f) !== outFile).sort();
  if (files.length === 0) {
    throw new UserError({ what: `init: '${input}' names no file`, where: abs, help: 'give a folder of log files, or a glob in quotes such as "logs/access.log*"' });
  }
  const surveyed: SurveyedFile[] = [];
  for (const f of files) surveyed.push(await surveyFile(f, outDir));
  return surveyed;
}

async function surveyFile(abs: string, outDir: string): Promise<SurveyedFile> {
  const rel = path.relative(outDir, abs).split(path.sep).join('/');
  const base = { abs, rel, bytes: 0, lines: 0, format: undefined, reason: '', zone: { needsZone: false, evidence: '' } };
  const kind = entryKind(abs);
  if (!kind.file) return { ...base, skipped: kind.why ?? 'not a regular file' };
  if (NOT_LOGS.test(abs)) return { ...base, skipped: 'not a log by its name (case, reference or report file)' };
  const packed = unsupportedCompression(abs);
  if (packed) return { ...base, skipped: `${packed}-compressed: breachscope reads plain and gzip files; decompress it beside the original and run init again` };
  const size = statSync(abs).size;
  const facts = await examine(abs, size);
  const counted = { bytes: facts.bytes, lines: facts.physicalLines };
  if (facts.sample.length === 0) return { ...base, ...counted, skipped: 'empty (no non-blank line)' };
  const sniffed = sniffFormat(facts.sample);
  if (!sniffed.ok) {
    const closest = sniffed.fits.filter((x) => x.fit > 0).slice(0, 3).map((x) => `${x.format.name} ${x.fit} of ${x.of}`).join(', ');
    const what = sniffed.notAccessLog ? `${sniffed.notAccessLog}, not requests` : `no format fits its sampled lines${closest ? ` (closest: ${closest})` : ''}`;
    return { ...base, ...counted, skipped: what };
  }
  const format = sniffed.format.name;
  return { ...base, ...counted, format, reason: sniffed.reason, zone: zoneVerdict(format, timeEvidence(facts.sample)), skipped: undefined };
}
