import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { CaseFile, SourceSpec } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import type { LogFormat } from '../formats/format.js';
import { formatByName, readerFor } from '../formats/registry.js';
import { EXIT, UserError, type ExitCode, type UserMessage } from '../util/user-error.js';
import { stage } from '../util/trace.js';
import { isEarlierCopy, matchContent, settingsKey, storedSegments, type ContentMatch, type Segment } from './content-identity.js';
import { IngestFailure, NOTHING_READ, type FileReport } from './file-report.js';
import { checkLineCount, currentSize, FileChangedError, grewWarning, lineFacts, loadFile, readFast, readLines, fastPathRefusal, numberedCopyPath, trace, type Identity, type LoadCounts, type ReadPlan } from './load-file.js';
import { examine, MAX_LINE_BYTES, type FileFacts } from './prepass.js';
import { FileReadError, unsupportedCompression } from './read-content.js';
import { writeCopy } from './sanitised-copy.js';
import type { Progress } from './progress.js';
import { resolveSource, type PassedOver, type ResolvedFile } from './resolve-source.js';
import { selectCaseFiles } from '../db/selection.js';
import { sniffFormat } from './sniff.js';

export { IngestFailure, type FileReport, type FileStatus, type RejectExample } from './file-report.js';
export { resolveSourceFiles } from './resolve-source.js';

/**
 * Ingests every file of every source that the store does not hold yet, then selects what the
 * case counts (selectCaseFiles). Each file is one transaction: a run killed at any point leaves no
 * part of a file behind, and the next run reads that file whole. Identity is the decompressed
 * content, whatever the file's name or compression: a content already stored is not read again; a
 * content that begins with a stored one (the file grew, or was rotated, renamed or copied after
 * growing) has only its new lines read; an earlier copy of a stored content adds nothing.
 */
export async function ingestCase(store: Store, caseFile: CaseFile, progress?: Progress, o: { keep?: (file: ResolvedFile) => Promise<boolean> } = {}): Promise<FileReport[]> {
  const resolved = caseFile.sources.map((s, i) => resolveSource(caseFile, s, i));
  // `keep` (ingest --shard): only this process's share of the files is read and selected.
  const files = await keepOnly(resolved.flatMap((r) => r.files), o.keep);
  await stage('resolved', `${files.length} file(s)`);
  progress?.start(files.reduce((n, f) => n + f.size, 0), files.length);
  const reports: FileReport[] = [];
  const failures: UserMessage[] = [];
  let exitCode: ExitCode = EXIT.usage;
  for (const file of files) {
    const report = await ingestFile(store, caseFile, file, progress);
    reports.push(report);
    if (report.status === 'failed') {
      failures.push({ what: `${file.shown}: ${report.note}`, where: file.abs, help: report.fix ?? 'set format: on this source in the case file' });
      if (report.failure === 'unreadable') exitCode = EXIT.runtime;
    }
  }
  for (const p of resolved.flatMap((r) => r.passedOver)) if (p.why) reports.push(ignored(p));
  progress?.done();
  warnReplaced(reports);
  if (failures.length > 0) throw new IngestFailure(failures, reports, exitCode);
  await stage('files-read');
  await selectCaseFiles(store, reports);
  await stage('selected');
  return reports;
}

async function keepOnly(files: ResolvedFile[], keep: ((file: ResolvedFile) => Promise<boolean>) | undefined): Promise<ResolvedFile[]> {
  if (!keep) return files;
  const kept: ResolvedFile[] = [];
  for (const f of files) if (await keep(f)) kept.push(f);
  return kept;
}

/**
 * A path whose content was replaced (not appended to) is worth a word only when no file of the run
 * holds the earlier content: after a rotation, the rotated file does, and nothing is lost.
 */
function warnReplaced(reports: FileReport[]): void {
  const held = new Set(reports.flatMap((r) => (r.chain ? [r.chain.id] : [])));
  reports.forEach((r, i) => {
    const { replaced, ...rest } = r;
    if (!replaced) return;
    const lost = replaced.filter((c) => !held.has(c));
    reports[i] = lost.length === 0 ? rest : { ...rest, warnings: [...rest.warnings, 'the content of this path changed since it was last ingested (not by appending), and no file of the case holds the earlier content now: read as a new content; the earlier content is not counted'] };
  });
}

function ignored(p: PassedOver): FileReport {
  return { source: p.source.name, path: p.shown, status: 'ignored', ...NOTHING_READ, sha256: '', warnings: [], note: p.why };
}

async function ingestFile(store: Store, caseFile: CaseFile, file: ResolvedFile, progress?: Progress): Promise<FileReport> {
  try {
    return await readFile(store, caseFile, file, progress);
  } catch (e) {
    if (e instanceof FileReadError) return unreadable(file, e);
    if (e instanceof FileChangedError) {
      return { source: file.source.name, path: file.shown, status: 'failed', ...NOTHING_READ, sha256: '', warnings: [], failure: 'unreadable', note: e.message, fix: 'run ingest again once the rotation is done: the files already read are skipped, and a rotated copy matched by the glob is read then' };
    }
    throw e;
  } finally {
    // The numbered copy examine wrote, when the fast path did not read it (a stored content, a refusal).
    rmSync(numberedCopyPath(store), { force: true });
  }
}

/** A file the operating system will not let breachscope read: named, with what to do; the other files go on. */
function unreadable(file: ResolvedFile, e: FileReadError): FileReport {
  const base = { source: file.source.name, path: file.shown, status: 'failed', ...NOTHING_READ, sha256: '', warnings: [], failure: 'unreadable' } as const;
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return { ...base, note: `cannot be read: permission denied (${e.code})`, fix: 'give the user running breachscope read access to the file (ls -l shows its owner and mode; e.g. add the user to its group, or setfacl -m u:USER:r FILE), then run ingest again: files already read are skipped' };
  }
  if (e.code === 'ENOENT') {
    return { ...base, note: 'no longer exists: it was moved or deleted after it was listed (log rotation?)', fix: 'run ingest again: it reads the files as they are then' };
  }
  return { ...base, note: `cannot be read: ${e.message}`, fix: 'check the file and the disk it is on (the error comes from the operating system), then run ingest again' };
}

/**
 * One file: checked (compression, line length), examined (hash, lines), matched against what the
 * store holds, then read by the fast reader or the general one in one transaction (readPlanned).
 */
async function readFile(store: Store, caseFile: CaseFile, file: ResolvedFile, progress?: Progress): Promise<FileReport> {
  const packed = unsupportedCompression(file.abs);
  if (packed) {
    return { ...failed(file, ''), note: `${packed}-compressed: breachscope reads plain and gzip files`, fix: "decompress it next to the original (keep both for the record), or leave it out of the source's glob" };
  }
  const settings = settingsKey(file.source);
  const segments = await storedSegments(store, settings);
  const facts = await examine(file.abs, file.size, {
    prefixOffsets: segments.map((x) => x.content_bytes),
    onRaw: (n) => progress?.advance(n),
    onLines: (n) => progress?.linesRead(n),
    numbered: { path: numberedCopyPath(store), want: (sample) => fastPathLikely(store, file.source, segments, sample) },
  });
  if (facts.longestLine.bytes > MAX_LINE_BYTES) return tooLong(file, facts);
  const headSha = headLineSha(facts.sample);
  const match = matchContent(segments, facts, headSha);
  if (match.kind === 'same') return held(file, facts, match.segment, match.segment.physical_lines);
  const plan = planRead(file, facts, segments, match, { settings, chainId: undefined, facts, headSha });
  if ('note' in plan) return { ...failed(file, facts.sha256), warnings: facts.warnings, ...plan };
  const report = await readPlanned(store, file, plan, progress);
  return plan.replaced.length > 0 && report.status !== 'skipped' ? { ...report, replaced: plan.replaced } : report;
}

/** SHA-256 of a content's first non-comment line (from the sample): what finds earlier copies of it. */
function headLineSha(sample: readonly string[]): string | undefined {
  const head = sample.find((l) => !l.startsWith('#'));
  return head === undefined ? undefined : createHash('sha256').update(head).digest('hex');
}

/**
 * Whether examine should write the numbered copy in its pass (from the first lines' sample): a new
 * content, in a format with a fast path. A guess that saves a second read of the file: readPlanned
 * decides what reads the file, and the copy is removed when nothing does.
 */
function fastPathLikely(store: Store, source: SourceSpec, segments: readonly Segment[], sample: readonly string[]): boolean {
  // A content the store may hold already, or that continues a stored one, begins with a stored head line.
  const headSha = headLineSha(sample);
  const chosen = chooseFormat(source, { sample });
  const likely = !store.readOnly && chosen.ok && chosen.format.fast !== undefined && !segments.some((x) => x.head_sha256 === null || x.head_sha256 === headSha);
  trace(`numbered copy in the examine pass: ${likely ? 'written' : 'not written'}`);
  return likely;
}

/** The report of a file whose content cannot be read (exit 2), before its note and fix. */
function failed(file: ResolvedFile, sha256: string): FileReport & { failure: 'content' } {
  return { source: file.source.name, path: file.shown, status: 'failed', ...NOTHING_READ, sha256, warnings: [], note: undefined, failure: 'content' };
}

function tooLong(file: ResolvedFile, facts: FileFacts): FileReport {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    ...failed(file, facts.sha256),
    warnings: facts.warnings,
    note: `line ${facts.longestLine.line} is ${mb(facts.longestLine.bytes)} long, over the ${mb(MAX_LINE_BYTES)} a line may have: no web server writes such a line (a binary or damaged file?), and the file is not read`,
    fix: "leave the file out of the source's glob, or read a copy without that line (keep the original for the record)",
  };
}

/** A file whose first `upto` lines the store holds already (this content, or one it begins with): counted once. */
function held(file: ResolvedFile, facts: FileFacts, segment: Segment, upto: number): FileReport {
  return {
    source: file.source.name,
    path: file.shown,
    sha256: facts.sha256,
    warnings: facts.warnings,
    status: 'skipped',
    ...NOTHING_READ,
    format: segment.format,
    chain: { id: segment.chain_id, upto, bytes: facts.bytes, abs: file.abs },
    note:
      segment.abs_path === file.abs && upto === segment.physical_lines
        ? 'already in the store'
        : `its ${upto.toLocaleString('en')} line(s) are already in the store, read from ${segment.path}: counted once`,
  };
}

/** How a file that is not stored whole is read: from which line, into which chain, by which format. */
interface FilePlan extends ReadPlan {
  readonly match: Exclude<ContentMatch, { kind: 'same' }>;
  /** Contents this path held before, when it now holds another: rewritten in place, or rotated away. */
  readonly replaced: readonly number[];
}

function planRead(file: ResolvedFile, facts: FileFacts, segments: readonly Segment[], match: FilePlan['match'], identity: Identity): FilePlan | { note: string; fix: string } {
  const warnings = [...facts.warnings];
  if (match.kind === 'grown') {
    const tip = match.tip;
    const firstLine = tip.physical_lines + 1;
    if (!tip.ends_with_lf) {
      // The last line read before was still being written: what was appended to it is not read again.
      warnings.push(`line ${tip.physical_lines} had no line end when it was ingested; text appended to that line since is not read (file:line still names it)`);
    }
    const formatReason = tip.abs_path === file.abs ? `file grew since it was read: reading lines from ${firstLine}` : `begins with the content read from ${tip.path} (rotated, renamed or copied, and grown): reading lines from ${firstLine}`;
    return { match, replaced: [], format: readerFor(file.source, tip.format), formatReason, firstLine, facts, warnings, identity: { ...identity, chainId: tip.chain_id } };
  }
  // Named only if no other file of this run holds the earlier content (a rotation moved it there): see ingestCase.
  const replaced = [...new Set(segments.filter((x) => x.abs_path === file.abs).map((x) => x.chain_id))];
  const chosen = match.kind === 'compare' ? { ok: true as const, format: readerFor(file.source, match.chain.format), reason: undefined } : chooseFormat(file.source, facts);
  if (!chosen.ok) return { note: chosen.note, fix: chosen.fix };
  return { match, replaced, format: chosen.format, formatReason: chosen.reason, firstLine: 1, facts, warnings, identity };
}

/** Reads a planned file: the fast reader when it may, else the general one; each commits the file whole or not at all. */
async function readPlanned(store: Store, file: ResolvedFile, plan: FilePlan, progress?: Progress): Promise<FileReport> {
  const { facts, match } = plan;
  const copyPath = store.tempFile(`copy-${process.pid}.log`);
  const copy = { path: facts.copyReasons.length > 0 ? copyPath : undefined, reasons: [...facts.copyReasons] };
  const done = (counts: LoadCounts, reader: 'fast' | 'general'): FileReport => {
    progress?.fileDone(counts.lines);
    return {
      source: file.source.name,
      path: file.shown,
      sha256: facts.sha256,
      status: plan.firstLine > 1 ? 'appended' : 'ingested',
      format: plan.format.name,
      formatReason: plan.formatReason,
      warnings: plan.warnings,
      lines: counts.lines,
      comments: counts.comments,
      events: counts.events,
      rejected: counts.rejected,
      rejectExamples: counts.rejectExamples,
      chain: { id: counts.chainId, upto: facts.physicalLines, bytes: facts.bytes, abs: file.abs },
      reader,
      note: copy.path ? `read through a sanitised copy: ${copy.reasons.join('; ')}` : undefined,
    };
  };
  try {
    progress?.loading();
    await stage('examined', file.shown);
    if (match.kind !== 'compare') refuseIfReadOnly(store, file);
    const refusal = match.kind === 'compare' ? 'its lines are compared with a stored content first' : fastPathRefusal(plan.format, facts, plan.firstLine);
    if (refusal === undefined) {
      const counts = await readFast(store, file, plan);
      if (counts) return done(counts, 'fast');
    } else trace(`fast path not taken: ${refusal}`);
    await readRawLines(store, file, plan, copy, copyPath);
    if (match.kind === 'compare' && (await isEarlierCopy(store, match.chain.chain_id, match.from, facts))) {
      await store.run('DROP TABLE IF EXISTS raw_lines');
      return held(file, facts, match.chain, facts.physicalLines);
    }
    refuseIfReadOnly(store, file);
    const lines = await lineFacts(store, plan.firstLine);
    await stage('line-facts', file.shown);
    const counts = await store.transaction(() => loadFile(store, file, plan, lines, undefined));
    await store.run('DROP TABLE IF EXISTS parsed; DROP TABLE IF EXISTS raw_lines');
    await stage('committed', file.shown);
    return done(counts, 'general');
  } finally {
    rmSync(copyPath, { force: true });
  }
}

/**
 * The general reader's input: every line of exactly the bytes hashed, numbered, in `raw_lines`.
 * raw_lines is scratch (a temp table) and is filled outside the transaction on purpose:
 * uncommitted rows carry transaction-local rowids, and rowid + 1 is the line number.
 */
async function readRawLines(store: Store, file: ResolvedFile, plan: FilePlan, copy: { path: string | undefined; reasons: string[] }, copyPath: string): Promise<void> {
  const { facts } = plan;
  if (copy.path) await writeCopy(file.abs, facts.gzip, facts.bytes, copy.path);
  await readLines(store, file, copy.path ?? file.abs, copy.path ? false : facts.gzip);
  if (!copy.path && currentSize(file.abs) !== facts.bytes) {
    // The file changed while it was read, and DuckDB reads to the end of what is there: it may
    // have read lines past the bytes hashed. A copy of exactly those bytes is read instead.
    copy.path = copyPath;
    await writeCopy(file.abs, facts.gzip, facts.bytes, copy.path);
    copy.reasons.push('the file grew while it was read');
    // The fast path may have said so already, before it stepped aside.
    if (!plan.warnings.includes(grewWarning(facts))) plan.warnings.push(grewWarning(facts));
    await readLines(store, file, copy.path, false);
  }
  await checkLineCount(store, file, facts);
  await stage('lines-read', file.shown);
}

/** A store shared with a reading process (a dashboard) cannot take a file: say which, and what to do. */
function refuseIfReadOnly(store: Store, file: ResolvedFile): void {
  if (!store.readOnly) return;
  throw new UserError(
    {
      what: `${file.shown} is new or has grown since it was stored, and the case store is open in another breachscope process (a dashboard) that only reads it`,
      where: file.abs,
      why: 'a file can be stored only while no other process has the store open',
      help: 'quit the dashboard and run again (it reads the new lines then), or pass --db with another store directory',
    },
    EXIT.runtime,
  );
}

function chooseFormat(source: SourceSpec, facts: Pick<FileFacts, 'sample'>): { ok: true; format: LogFormat; reason: string | undefined } | { ok: false; note: string; fix: string } {
  if (typeof source.format === 'object') return { ok: true, format: readerFor(source), reason: `the ${source.format.server} format definition in the case file` };
  if (source.format !== 'auto') return { ok: true, format: formatByName(source.format), reason: undefined };
  if (facts.sample.length === 0) return { ok: true, format: formatByName('combined'), reason: 'empty file: nothing to detect' };
  const sniffed = sniffFormat(facts.sample);
  if (sniffed.ok) return { ok: true, format: sniffed.format, reason: `auto: ${sniffed.reason}` };
  const what = sniffed.notAccessLog ? `this looks like ${sniffed.notAccessLog}, not an access log` : 'no format fits this file';
  const closest = sniffed.fits
    .filter((f) => f.fit > 0)
    .slice(0, 2)
    .map((f) => `${f.format.name} (${f.fit} of ${f.of} sampled lines fit)`)
    .join(', ');
  const of = sniffed.fits[0]?.of ?? 0;
  const fix = sniffed.notAccessLog
    ? "error logs hold no requests: leave this file out of the source's glob"
    : "set format: on this source (breachscope formats lists them), or paste the server's own definition: format: {nginx: '<log_format>'} or {apache: '<LogFormat>'}";
  return { ok: false, note: `${what}; ${closest ? `closest: ${closest}` : `none of the ${of} sampled lines fits any format (breachscope formats lists them)`}`, fix };
}
