import { createHash } from 'node:crypto';
import { lstatSync, realpathSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { CaseFile, SourceSpec } from '../case/case-file.js';
import type { Params, Row, Store } from '../db/store.js';
import type { LogFormat } from '../formats/format.js';
import { PARSED_COLUMNS } from '../formats/format.js';
import { formatByName, readerFor } from '../formats/registry.js';
import { EXIT, UserError, type ExitCode, type UserMessage } from '../util/user-error.js';
import { examine, FileReadError, LINE_SUM_MODULUS, MAX_LINE_BYTES, PREFIX_BYTES, unsupportedCompression, writeCopy, writeNumberedCopy, type FileFacts } from './prepass.js';
import type { Progress } from './progress.js';
import { selectCaseFiles } from './selection.js';
import { sniffFormat } from './sniff.js';
import { stage } from '../util/trace.js';

/** `ignored`: a path a glob matched that is not a file to read (a named pipe, a symlink loop...). */
export type FileStatus = 'ingested' | 'appended' | 'skipped' | 'failed' | 'ignored';

export interface RejectExample {
  readonly line: number;
  readonly reason: string;
}

export interface FileReport {
  readonly source: string;
  readonly path: string;
  readonly status: FileStatus;
  readonly format: string | undefined;
  readonly formatReason: string | undefined;
  readonly sha256: string;
  /** Non-blank lines read by this run, comments excepted: events + rejected. */
  readonly lines: number;
  /** Lines starting with '#', counted and not parsed. */
  readonly comments: number;
  readonly events: number;
  readonly rejected: number;
  readonly rejectExamples: readonly RejectExample[];
  readonly warnings: readonly string[];
  readonly note: string | undefined;
  /** How to fix a failed file. */
  readonly fix?: string;
  /** Why a file failed: it cannot be read (exit 3), or its content cannot be (exit 2). */
  readonly failure?: 'unreadable' | 'content';
  /** Which reader parsed the file: DuckDB's CSV reader on a uniform file, or the general one. */
  readonly reader?: 'fast' | 'general';
  /** The stored content this file holds, up to which line: what a run of the case counts. */
  readonly chain?: { readonly id: number; readonly upto: number; readonly bytes: number };
  /** Contents this path held before it held this one (internal: ingestCase turns it into a warning). */
  readonly replaced?: readonly number[];
}

/** Rejected lines shown per file; all of them stay in the store's `rejects` table. */
export const REJECT_EXAMPLES = 20;

interface ResolvedFile {
  readonly source: SourceSpec;
  readonly abs: string;
  readonly shown: string;
  readonly size: number;
}

/** A path a source's globs matched that is not read, and why (undefined: a folder, not worth a line). */
export interface PassedOver {
  readonly source: SourceSpec;
  readonly abs: string;
  readonly shown: string;
  readonly why: string | undefined;
}

/** Files a source's globs match, sorted, relative names as a person reads them. */
export function resolveSourceFiles(caseFile: CaseFile, source: SourceSpec, index: number): ResolvedFile[] {
  return resolveSource(caseFile, source, index).files;
}

/**
 * The regular files a source's globs match, and what else they matched. Globs do not descend
 * through symbolic links (a link loop would never end), but a link a glob matches is followed:
 * to a file, it is read, once, however many matched names lead to it; to a loop, a pipe or
 * nothing, it is passed over with the reason. Nothing here opens a file, so a FIFO cannot block.
 */
export function resolveSource(caseFile: CaseFile, source: SourceSpec, index: number): { files: ResolvedFile[]; passedOver: PassedOver[] } {
  const shown = (abs: string) => path.relative(caseFile.dir, abs) || abs;
  const namesOf = new Map<string, Set<string>>();
  const others = new Map<string, string | undefined>();
  const consider = (abs: string) => {
    const kind = entryKind(abs);
    if (kind.file) namesOf.set(kind.target, (namesOf.get(kind.target) ?? new Set()).add(abs));
    else others.set(abs, kind.why);
  };
  for (const pattern of source.paths) {
    const literal = path.resolve(caseFile.dir, pattern);
    if (lstatSync(literal, { throwIfNoEntry: false })) {
      consider(literal);
      continue;
    }
    // Matches are resolved here, not by fast-glob (its absolute option turns a `\` in a name into `/`).
    const { cwd, glob } = globBase(caseFile.dir, pattern);
    const matches = fg.sync(glob, { cwd, onlyFiles: false, dot: true, followSymbolicLinks: false, suppressErrors: true });
    for (const m of matches) consider(path.resolve(cwd, m));
  }
  const kept = new Set<string>();
  for (const [target, names] of namesOf) {
    // The file under its own name wins over a link to it; otherwise the first name in order.
    const name = names.has(target) ? target : [...names].sort()[0]!;
    kept.add(name);
    for (const other of names) if (other !== name) others.set(other, `a symbolic link to ${shown(name)}, which is read once, under that name`);
  }
  const passedOver = [...others].map(([abs, why]) => ({ source, abs, shown: shown(abs), why })).sort((a, b) => (a.abs < b.abs ? -1 : 1));
  if (kept.size === 0) {
    const named = passedOver.map((p) => `${p.shown} is ${p.why ?? 'a folder'}`);
    throw new UserError({
      what: `source '${source.name}': ${source.paths.map((p) => `'${p}'`).join(', ')} matches no file`,
      ...(named.length > 0 ? { why: named.slice(0, 5).join('; ') + (named.length > 5 ? `; and ${named.length - 5} more` : '') } : {}),
      where: `${caseFile.path} (sources[${index}].path)`,
      help: `paths and globs are relative to the case file's folder (${caseFile.dir})${passedOver.some((p) => p.why === undefined) ? '; a glob such as logs/* reads the files in a folder' : ''}`,
    });
  }
  // A file gone since it was listed (rotated away) is read as such and named: size 0 until then.
  const files = [...kept].sort().map((abs) => ({ source, abs, shown: shown(abs), size: sizeOf(abs) }));
  return { files, passedOver };
}

/**
 * A glob split into the longest leading folder that exists as written, which is searched from (its
 * name may hold characters a glob reads as syntax: brackets, parentheses, braces), and the rest,
 * which is the glob. `\` is a character of a name on POSIX (an escape in the glob) and a folder
 * separator on Windows.
 */
function globBase(dir: string, pattern: string): { cwd: string; glob: string } {
  const written = path.sep === '\\' ? pattern.replaceAll('\\', '/') : pattern;
  const segments = written.split('/');
  let cwd = path.isAbsolute(written) ? path.parse(path.resolve(written)).root : dir;
  let i = path.isAbsolute(written) ? 1 : 0;
  for (; i < segments.length - 1; i++) {
    const next = path.join(cwd, segments[i]!);
    if (!statSync(next, { throwIfNoEntry: false })?.isDirectory()) break;
    cwd = next;
  }
  return { cwd, glob: segments.slice(i).join('/') };
}

/** A matched file's size, 0 when it cannot be told (reading it then says why it fails). */
function sizeOf(abs: string): number {
  try {
    return statSync(abs, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

type EntryKind = { readonly file: true; readonly target: string } | { readonly file: false; readonly why: string | undefined };

/** What a matched path is, without opening it (stat follows links; lstat tells a link from what it leads to). */
function entryKind(abs: string): EntryKind {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { file: false, why: 'a symbolic link loop (it leads back to itself): not read' };
    if (code === 'ENOENT' && lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink()) return { file: false, why: 'a symbolic link to a missing file: not read' };
    // Matched but not statable (gone since it was listed, permissions): it is read, and fails
    // with the reason (exit 3), never passed over.
    return { file: true, target: abs };
  }
  if (st.isFile()) {
    let target = abs;
    try {
      target = realpathSync(abs);
    } catch {
      // stat succeeded, so the path works; the name as matched identifies the file then.
    }
    return { file: true, target };
  }
  if (st.isDirectory()) return { file: false, why: undefined };
  if (st.isFIFO()) return { file: false, why: 'a named pipe (FIFO), not a file: not read (reading would wait for a writer)' };
  if (st.isSocket()) return { file: false, why: 'a socket, not a file: not read' };
  return { file: false, why: 'a device, not a file: not read' };
}

/** A stored segment of a content chain read under the same source settings as the file at hand. */
interface Segment {
  file_id: number;
  chain_id: number;
  path: string;
  abs_path: string;
  content_bytes: number;
  content_sha256: string;
  physical_lines: number;
  ends_with_lf: boolean;
  head_sha256: string | null;
  format: string;
  tip: boolean;
}

/**
 * How a file's content relates to what the store holds (contents read under the same settings):
 * - `same`: it is a stored content up to a segment's end (a copy, a recompressed or renamed file);
 * - `grown`: it begins with a chain's whole content (the file grew, or was rotated after growing);
 * - `compare`: it begins like a chain (the same first line, or a segment's content) but only its
 *   lines can tell whether it is an earlier copy of that chain or a different content;
 * - `new`: nothing stored begins it.
 */
type ContentMatch =
  | { readonly kind: 'same'; readonly segment: Segment }
  | { readonly kind: 'grown'; readonly tip: Segment }
  | { readonly kind: 'compare'; readonly chain: Segment; readonly from: number }
  | { readonly kind: 'new' };

function matchContent(segments: readonly Segment[], facts: FileFacts, headSha: string | undefined): ContentMatch {
  const prefixOf = (s: Segment) => facts.prefixSha256.get(s.content_bytes) === s.content_sha256;
  const same = segments.find((s) => s.content_bytes === facts.contentBytes && s.content_sha256 === facts.contentSha256);
  if (same) return { kind: 'same', segment: same };
  const longest = (list: Segment[]) => list.sort((a, b) => b.content_bytes - a.content_bytes)[0];
  const tip = longest(segments.filter((s) => s.tip && s.content_bytes < facts.contentBytes && prefixOf(s)));
  if (tip) return { kind: 'grown', tip };
  const part = longest(segments.filter((s) => s.content_bytes < facts.contentBytes && prefixOf(s)));
  if (part) return { kind: 'compare', chain: part, from: part.physical_lines };
  const head = headSha === undefined ? undefined : segments.find((s) => s.head_sha256 === headSha);
  if (head) return { kind: 'compare', chain: head, from: 0 };
  return { kind: 'new' };
}

/**
 * What identifies the reading of a content: the same bytes read with another format, time zone,
 * role or field map give other events and are stored apart. The source's name is not part of it:
 * a file copied into two sources' folders is one content, counted once (under the name of the
 * source whose file holds it, see case_chain_file), and renaming a source reads nothing again.
 */
export function settingsKey(source: SourceSpec): string {
  const settings = { role: source.role, format: source.format, timezone: source.timezone ?? null, fields: Object.entries(source.fields).sort() };
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 32);
}

/**
 * Ingests every file of every source that the store does not hold yet, then selects what the
 * case counts (selectCaseFiles). Each file is one transaction: a run killed at any point leaves no
 * part of a file behind, and the next run reads that file whole. Identity is the decompressed
 * content, whatever the file's name or compression: a content already stored is not read again; a
 * content that begins with a stored one (the file grew, or was rotated, renamed or copied after
 * growing) has only its new lines read; an earlier copy of a stored content adds nothing.
 */
export async function ingestCase(store: Store, caseFile: CaseFile, progress?: Progress): Promise<FileReport[]> {
  const resolved = caseFile.sources.map((s, i) => resolveSource(caseFile, s, i));
  const files = resolved.flatMap((r) => r.files);
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
  return { source: p.source.name, path: p.shown, status: 'ignored', format: undefined, formatReason: undefined, sha256: '', lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [], warnings: [], note: p.why };
}

/**
 * Some files could not be read at all; the others were ingested and are in `reports`. Exit 3 when
 * a file cannot be read (permissions, I/O), else 2 (a content no format fits: fix the input).
 */
export class IngestFailure extends UserError {
  constructor(
    messages: readonly UserMessage[],
    readonly reports: readonly FileReport[],
    exitCode: ExitCode = EXIT.usage,
  ) {
    super(messages, exitCode);
  }
}

async function ingestFile(store: Store, caseFile: CaseFile, file: ResolvedFile, progress?: Progress): Promise<FileReport> {
  try {
    return await readFile(store, caseFile, file, progress);
  } catch (e) {
    if (e instanceof FileReadError) return unreadable(file, e);
    if (e instanceof FileChangedError) {
      return { source: file.source.name, path: file.shown, status: 'failed', format: undefined, formatReason: undefined, sha256: '', lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [], warnings: [], failure: 'unreadable', note: e.message, fix: 'run ingest again once the rotation is done: the files already read are skipped, and a rotated copy matched by the glob is read then' };
    }
    throw e;
  }
}

/** The bytes hashed are no longer there to read: the file shrank or went away mid-read. */
class FileChangedError extends Error {}

/** A file the operating system will not let breachscope read: named, with what to do; the other files go on. */
function unreadable(file: ResolvedFile, e: FileReadError): FileReport {
  const base = { source: file.source.name, path: file.shown, status: 'failed', format: undefined, formatReason: undefined, sha256: '', lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [], warnings: [], failure: 'unreadable' } as const;
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return { ...base, note: `cannot be read: permission denied (${e.code})`, fix: 'give the user running breachscope read access to the file (ls -l shows its owner and mode; e.g. add the user to its group, or setfacl -m u:USER:r FILE), then run ingest again: files already read are skipped' };
  }
  if (e.code === 'ENOENT') {
    return { ...base, note: 'no longer exists: it was moved or deleted after it was listed (log rotation?)', fix: 'run ingest again: it reads the files as they are then' };
  }
  return { ...base, note: `cannot be read: ${e.message}`, fix: 'check the file and the disk it is on (the error comes from the operating system), then run ingest again' };
}

async function readFile(store: Store, caseFile: CaseFile, file: ResolvedFile, progress?: Progress): Promise<FileReport> {
  const packed = unsupportedCompression(file.abs);
  if (packed) {
    return { source: file.source.name, path: file.shown, status: 'failed', format: undefined, formatReason: undefined, sha256: '', lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [], warnings: [], note: `${packed}-compressed: breachscope reads plain and gzip files`, fix: "decompress it next to the original (keep both for the record), or leave it out of the source's glob", failure: 'content' };
  }
  const settings = settingsKey(file.source);
  const segments = await store.all<Segment & Row>(
    `SELECT file_id, chain_id, path, abs_path, content_bytes, content_sha256, physical_lines, ends_with_lf, head_sha256, format,
       file_id = max(file_id) OVER (PARTITION BY chain_id) AS tip
     FROM files WHERE settings = $s ORDER BY file_id`,
    { s: settings },
  );
  const facts = await examine(file.abs, file.size, segments.map((x) => x.content_bytes), (n) => progress?.advance(n), (n) => progress?.linesRead(n));
  const base = { source: file.source.name, path: file.shown, sha256: facts.sha256, warnings: facts.warnings };
  if (facts.longestLine.bytes > MAX_LINE_BYTES) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return {
      ...base,
      status: 'failed',
      format: undefined,
      formatReason: undefined,
      lines: 0,
      comments: 0,
      events: 0,
      rejected: 0,
      rejectExamples: [],
      note: `line ${facts.longestLine.line} is ${mb(facts.longestLine.bytes)} long, over the ${mb(MAX_LINE_BYTES)} a line may have: no web server writes such a line (a binary or damaged file?), and the file is not read`,
      fix: "leave the file out of the source's glob, or read a copy without that line (keep the original for the record)",
      failure: 'content',
    };
  }

  const head = facts.sample.find((l) => !l.startsWith('#'));
  const headSha = head === undefined ? undefined : createHash('sha256').update(head).digest('hex');
  const match = matchContent(segments, facts, headSha);
  const held = (segment: Segment, upto: number): FileReport => ({
    ...base,
    status: 'skipped',
    format: segment.format,
    formatReason: undefined,
    lines: 0,
    comments: 0,
    events: 0,
    rejected: 0,
    rejectExamples: [],
    chain: { id: segment.chain_id, upto, bytes: facts.bytes },
    note:
      segment.abs_path === file.abs && upto === segment.physical_lines
        ? 'already in the store'
        : `its ${upto.toLocaleString('en')} line(s) are already in the store, read from ${segment.path}: counted once`,
  });
  if (match.kind === 'same') return held(match.segment, match.segment.physical_lines);

  let firstLine = 1;
  let chainId: number | undefined;
  /** Contents this path held before, when it now holds another: rewritten in place, or rotated away. */
  const replaced = new Set<number>();
  let format: LogFormat;
  let formatReason: string | undefined;
  const warnings = [...facts.warnings];
  if (match.kind === 'grown') {
    const tip = match.tip;
    firstLine = tip.physical_lines + 1;
    chainId = tip.chain_id;
    if (!tip.ends_with_lf) {
      // The last line read before was still being written: what was appended to it is not read again.
      warnings.push(`line ${tip.physical_lines} had no line end when it was ingested; text appended to that line since is not read (file:line still names it)`);
    }
    format = readerFor(file.source, tip.format);
    formatReason = tip.abs_path === file.abs ? `file grew since it was read: reading lines from ${firstLine}` : `begins with the content read from ${tip.path} (rotated, renamed or copied, and grown): reading lines from ${firstLine}`;
  } else {
    // Named only if no other file of this run holds the earlier content (a rotation moved it there): see ingestCase.
    for (const x of segments) if (x.abs_path === file.abs) replaced.add(x.chain_id);
    const chosen = match.kind === 'compare' ? { ok: true as const, format: readerFor(file.source, match.chain.format), reason: undefined } : chooseFormat(file.source, facts);
    if (!chosen.ok) return { ...base, status: 'failed', format: undefined, formatReason: undefined, lines: 0, comments: 0, events: 0, rejected: 0, rejectExamples: [], note: chosen.note, fix: chosen.fix, failure: 'content' };
    format = chosen.format;
    formatReason = chosen.reason;
  }
  const identity: Identity = { settings, chainId, facts, headSha };
  const withReplaced = (r: FileReport): FileReport => (replaced.size > 0 ? { ...r, replaced: [...replaced] } : r);

  const copyPath = path.join(store.dir, 'tmp', `copy-${process.pid}.log`);
  const copyReasons = [...facts.copyReasons];
  let copy = copyReasons.length > 0 ? copyPath : undefined;
  const done = (counts: LoadCounts, reader: 'fast' | 'general'): FileReport => {
    progress?.fileDone(counts.lines);
    return {
      ...base,
      status: firstLine > 1 ? 'appended' : 'ingested',
      format: format.name,
      formatReason,
      warnings,
      lines: counts.lines,
      comments: counts.comments,
      events: counts.events,
      rejected: counts.rejected,
      rejectExamples: counts.rejectExamples,
      chain: { id: counts.chainId, upto: facts.physicalLines, bytes: facts.bytes },
      reader,
      note: copy ? `read through a sanitised copy: ${copyReasons.join('; ')}` : undefined,
    };
  };
  try {
    progress?.loading();
    await stage('examined', file.shown);
    if (match.kind !== 'compare') refuseIfReadOnly(store, file);
    const refusal = match.kind === 'compare' ? 'its lines are compared with a stored content first' : fastPathRefusal(format, facts, firstLine);
    if (refusal === undefined) {
      const counts = await readFast(store, file, { format, facts, firstLine, formatReason, warnings, identity });
      if (counts) return withReplaced(done(counts, 'fast'));
    } else trace(`fast path not taken: ${refusal}`);
    if (copy) await writeCopy(file.abs, facts.gzip, facts.bytes, copy);
    // raw_lines is scratch (a temp table) and is filled outside the transaction on purpose:
    // uncommitted rows carry transaction-local rowids, and rowid + 1 is the line number.
    await readLines(store, file, copy ?? file.abs, copy ? false : facts.gzip);
    if (!copy && currentSize(file.abs) !== facts.bytes) {
      // The file changed while it was read, and DuckDB reads to the end of what is there: it may
      // have read lines past the bytes hashed. A copy of exactly those bytes is read instead.
      copy = copyPath;
      await writeCopy(file.abs, facts.gzip, facts.bytes, copy);
      copyReasons.push('the file grew while it was read');
      // The fast path may have said so already, before it stepped aside.
      if (!warnings.includes(grewWarning(facts))) warnings.push(grewWarning(facts));
      await readLines(store, file, copy, false);
    }
    await checkLineCount(store, file, facts);
    await stage('lines-read', file.shown);
    if (match.kind === 'compare' && (await isEarlierCopy(store, match.chain.chain_id, match.from, facts))) {
      await store.run('DROP TABLE IF EXISTS raw_lines');
      return held(match.chain, facts.physicalLines);
    }
    refuseIfReadOnly(store, file);
    const lines = await lineFacts(store, firstLine);
    await stage('line-facts', file.shown);
    const counts = await store.transaction(() => loadFile(store, file, { format, facts, firstLine, formatReason, warnings, identity }, lines, undefined));
    await store.run('DROP TABLE IF EXISTS parsed; DROP TABLE IF EXISTS raw_lines');
    await stage('committed', file.shown);
    return withReplaced(done(counts, 'general'));
  } finally {
    rmSync(copyPath, { force: true });
  }
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

function grewWarning(facts: FileFacts): string {
  return `the file grew while it was read: its first ${facts.bytes} bytes (${facts.physicalLines} lines, the SHA-256 above) were read; the next run reads the rest`;
}

function currentSize(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.size;
}


/**
 * Whether the lines in raw_lines, past line `from`, are the chain's own lines: the file is then an
 * earlier copy of that content (taken before it grew), and nothing of it is stored again.
 */
async function isEarlierCopy(store: Store, chainId: number, from: number, facts: FileFacts): Promise<boolean> {
  // A copy taken while the server was writing may end inside a line: that line begins the stored one.
  const cut = facts.endsWithLineEnd ? 0 : facts.physicalLines;
  const { differ } = await store.one<{ differ: number }>(
    `WITH f AS (
       SELECT rowid + 1 AS line, line AS raw FROM raw_lines
       WHERE rowid + 1 > $from AND line IS NOT NULL AND NOT regexp_full_match(line, '[ \t]*') AND NOT starts_with(line, '#')
     ), c AS (
       SELECT l.line, l.raw FROM lines l JOIN files s ON s.file_id = l.file_id
       WHERE s.chain_id = $chain AND l.line > $from AND l.line <= $n
     )
     SELECT count(*) FILTER (WHERE f.raw IS DISTINCT FROM c.raw AND NOT (line = $cut AND starts_with(c.raw, f.raw))) AS differ
     FROM f FULL JOIN c USING (line)`,
    { chain: chainId, from, n: facts.physicalLines, cut },
  );
  return differ === 0;
}

function chooseFormat(source: SourceSpec, facts: FileFacts): { ok: true; format: LogFormat; reason: string | undefined } | { ok: false; note: string; fix: string } {
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

function csvSource(file: string, gzip: boolean): string {
  // The path is bound as a parameter; the options are constants of this program.
  return `read_csv($file, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', comment = '', header = false,
    auto_detect = false, new_line = '\\n', strict_mode = false, compression = '${gzip ? 'gzip' : 'none'}',
    max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES * 2})`;
}

async function readLines(store: Store, file: ResolvedFile, from: string, gzip: boolean): Promise<void> {
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE raw_lines AS SELECT line FROM ${csvSource(from, gzip)}`, { file: from });
  } catch (e) {
    // DuckDB's CSV errors quote the offending line whole: it could be megabytes of hostile bytes.
    const why = String((e as Error).message)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('Original Line'))
      .slice(0, 3)
      .map((l) => (l.length > 200 ? `${l.slice(0, 200)}...` : l).replace(/[\x00-\x1f\x7f-\x9f]/g, '?'))
      .join(' ');
    throw new UserError({ what: `${file.shown}: DuckDB could not read its lines`, why, where: file.abs, help: 'report this file to the breachscope developers' }, EXIT.runtime);
  }
}

async function checkLineCount(store: Store, file: ResolvedFile, facts: FileFacts): Promise<void> {
  const read = await store.one<{ n: number }>('SELECT count(*) AS n FROM raw_lines');
  if (read.n === facts.physicalLines) return;
  const now = currentSize(file.abs);
  if (now === undefined || now < facts.bytes) {
    // Not a reader bug: the bytes read are gone (copytruncate rotation, or the file was replaced).
    throw new FileChangedError(`was truncated or removed while it was read (${facts.bytes} bytes when hashed, ${now ?? 'none'} now; log rotation with copytruncate?): nothing of it was stored`);
  }
  // DuckDB and the pre-pass must agree on every line, or line numbers would be wrong.
  throw new UserError(
    { what: `${file.shown}: DuckDB read ${read.n} lines where the file has ${facts.physicalLines}`, why: 'line numbers would not match the file', help: 'report this file to the breachscope developers' },
    EXIT.runtime,
  );
}

interface LineFacts {
  /** Non-blank, non-comment lines from firstLine on: what events + rejects must add up to. */
  readonly expected: number;
  readonly comments: number;
}

async function lineFacts(store: Store, firstLine: number): Promise<LineFacts> {
  return store.one<LineFacts & Record<string, number>>(
    `SELECT
       count(*) FILTER (WHERE line IS NOT NULL AND NOT regexp_full_match(line, '[ \t]*') AND NOT starts_with(line, '#') AND rowid + 1 >= $first) AS expected,
       count(*) FILTER (WHERE starts_with(line, '#') AND rowid + 1 >= $first) AS comments
     FROM raw_lines`,
    { first: firstLine },
  );
}

/**
 * Reads a file by the fast path, in one transaction; undefined when its rows turn out not to be the
 * file's lines (nothing of them is kept then, and the general reader reads the file).
 */
async function readFast(store: Store, file: ResolvedFile, plan: ReadPlan): Promise<LoadCounts | undefined> {
  const { format, facts, warnings } = plan;
  const copy = path.join(store.dir, 'tmp', `numbered-${process.pid}.log`);
  try {
    // A copy of exactly the bytes hashed: a file growing meanwhile does not reach DuckDB.
    const written = await writeNumberedCopy(file.abs, facts.gzip, facts.bytes, copy);
    await stage('numbered-copy-written', file.shown);
    // What DuckDB reads is the copy, of the bytes hashed; lines written since are the next run's.
    if ((currentSize(file.abs) ?? 0) > facts.bytes) warnings.push(grewWarning(facts));
    const expected = facts.physicalLines - facts.shape.emptyLines;
    if (written !== expected) {
      trace(`fast path stepped aside: the copy has ${written} lines, the file ${expected}`);
      return undefined;
    }
    const lines: LineFacts = { expected, comments: 0 };
    // Rows land in any order (event ids and line numbers say where each is from); keeping file
    // order would hold the inserts to one thread.
    await store.run('SET preserve_insertion_order = false');
    const counts = await store.transaction(() => loadFile(store, file, plan, lines, { ...fastQueries(format, file, facts), copy }));
    await stage('committed', file.shown);
    return counts;
  } catch (e) {
    // A line the CSV reader refuses, or rows that are not the file's lines: the general reader
    // reads every line and says what is wrong with each.
    trace(`fast path stepped aside: ${(e as Error).message}`);
    return undefined;
  } finally {
    await store.run('SET preserve_insertion_order = true');
    rmSync(copy, { force: true });
  }
}

/** With BREACHSCOPE_TRACE_STAGES=1, why a file took the reader it took. */
function trace(message: string): void {
  if (process.env.BREACHSCOPE_TRACE_STAGES === '1') process.stderr.write(`trace ${message}\n`);
}

/**
 * The CSV reader's bounds for a file whose longest line is known: each reading thread holds a
 * buffer of buffer_size, so a file of short lines gets DuckDB's default (32 MB), not room for the
 * longest line any file may have.
 */
function lineSizes(longest: number): string {
  const max = Math.min(MAX_LINE_BYTES, Math.max(2 * 1024 * 1024, longest + 1));
  return `max_line_size = ${max}, buffer_size = ${Math.max(32 * 1024 * 1024, 2 * max)}`;
}

/** Whether the pre-pass shows a file the fast path can read; the reason when not (for tracing). */
function fastPathRefusal(format: LogFormat, facts: FileFacts, firstLine: number): string | undefined {
  const shape = facts.shape;
  if (!format.fast) return 'the format has no fast path';
  if (process.env.BREACHSCOPE_NO_FAST_PATH === '1') return 'BREACHSCOPE_NO_FAST_PATH=1';
  if (firstLine > 1) return 'a grown file: only its new lines are read';
  if (facts.copyReasons.length > 0) return facts.copyReasons.join('; ');
  // A last line without a line end may still be being written.
  if (!facts.endsWithLineEnd) return 'the last line has no line end';
  if (shape.commentLines > 0) return 'comment lines';
  if (shape.whitespaceLines > 0) return 'lines of spaces only';
  if (shape.otherEscapes) return 'backslash escapes other than \\"';
  return undefined;
}

/**
 * The fast path's two reads of the numbered copy (see writeNumberedCopy): DuckDB's CSV reader
 * splits the fields, and a line reader takes the raw text. Both carry the line number from the
 * copy, so neither needs the other's row order.
 */
function fastQueries(format: LogFormat, file: ResolvedFile, facts: FileFacts): { parsed: string; raw: string } {
  const fast = format.fast!;
  const sizes = lineSizes(facts.longestLine.bytes + PREFIX_BYTES);
  const columns = ["'line_no': 'BIGINT'", ...fast.columns.map((c) => `'${c}': 'VARCHAR'`)].join(', ');
  const csv = `read_csv($copy, columns = {${columns}}, delim = ' ', quote = '"', escape = '\\', header = false, auto_detect = false,
    new_line = '\\n', strict_mode = true, allow_quoted_nulls = false, ${sizes})`;
  const numbered = `read_csv($copy, columns = {'l': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', comment = '', header = false,
    auto_detect = false, new_line = '\\n', strict_mode = false, ${sizes})`;
  return {
    parsed: `WITH fast AS (SELECT * FROM ${csv}) SELECT * FROM (${fast.sql({ timezone: file.source.timezone, fields: file.source.fields })})`,
    raw: `SELECT CAST(left(l, strpos(l, ' ') - 1) AS BIGINT) AS line_no, substr(l, strpos(l, ' ') + 1) AS line FROM ${numbered}`,
  };
}

/** The fast path's rows do not stand for the file's lines: its transaction is rolled back. */
class FastPathRefused extends Error {}

/** What is known of a file before its rows are loaded, and how they are to be read. */
interface ReadPlan {
  readonly format: LogFormat;
  readonly facts: FileFacts;
  /** 1, or the first line past a chain's stored content. */
  readonly firstLine: number;
  readonly formatReason: string | undefined;
  readonly warnings: string[];
  readonly identity: Identity;
}

/** Where a file's content belongs in the store. */
interface Identity {
  readonly settings: string;
  /** The chain it continues; undefined: it starts a chain of its own. */
  readonly chainId: number | undefined;
  readonly facts: FileFacts;
  readonly headSha: string | undefined;
}

interface LoadCounts {
  fileId: number;
  chainId: number;
  lines: number;
  comments: number;
  events: number;
  rejected: number;
  rejectExamples: RejectExample[];
}

/**
 * Throws FastPathRefused unless the fast path's rows are the file's lines: as many as the file has
 * non-empty lines, with the same line numbers as the raw lines (count, sum and sum of squares), and
 * the raw lines as the pre-pass saw them (each line number times its length, summed).
 */
async function checkFastRows(store: Store, facts: FileFacts, fileId: number, expected: number): Promise<void> {
  const sums = (table: string) => `SELECT count(*) AS n, sum(line)::VARCHAR AS s1, sum(line::HUGEINT * line)::VARCHAR AS s2 FROM ${table} WHERE file_id = $id`;
  const rows = await store.one<{ n: number; s1: string; s2: string }>(sums('(SELECT file_id, line FROM events UNION ALL SELECT file_id, line FROM rejects)'), { id: fileId });
  const raw = await store.one<{ n: number; s1: string; s2: string; len: number }>(
    `SELECT *, (SELECT (coalesce(sum(line * strlen(raw)), 0) % ${LINE_SUM_MODULUS})::BIGINT FROM lines WHERE file_id = $id) AS len FROM (${sums('lines')})`,
    { id: fileId },
  );
  if (rows.n !== expected || raw.n !== expected) throw new FastPathRefused(`${rows.n} rows and ${raw.n} raw lines for ${expected} lines`);
  if (rows.s1 !== raw.s1 || rows.s2 !== raw.s2) throw new FastPathRefused('the rows do not carry the line numbers of the raw lines');
  if (raw.len !== facts.shape.lineSum) throw new FastPathRefused(`line sum ${raw.len}, the file's is ${facts.shape.lineSum}`);
}

async function loadFile(
  store: Store,
  file: ResolvedFile,
  plan: ReadPlan,
  lines: LineFacts,
  fast: { readonly parsed: string; readonly raw: string; readonly copy: string } | undefined,
): Promise<LoadCounts> {
  const { format, facts, firstLine, formatReason, warnings, identity } = plan;
  const { file_id: fileId } = await store.one<{ file_id: number }>('SELECT coalesce(max(file_id), 0) + 1 AS file_id FROM files');
  if (!fast) {
    const sql = format.sql({ timezone: file.source.timezone, fields: file.source.fields });
    await store.run(
      `CREATE OR REPLACE TEMP TABLE parsed AS
       WITH lines AS (
         SELECT rowid + 1 AS line_no, line FROM raw_lines
         WHERE rowid + 1 >= $first AND line IS NOT NULL AND NOT regexp_full_match(line, '[ \t]*') AND NOT starts_with(line, '#')
       ), directives AS (
         -- every '#' line of the file, those before $first too: a grown W3C file's header is above the new lines
         SELECT rowid + 1 AS line_no, line FROM raw_lines WHERE starts_with(line, '#')
       )
       SELECT line_no, line, ${PARSED_COLUMNS.join(', ')} FROM (${sql})`,
      { first: firstLine },
    );
  }
  // The fast path is not materialised: its SQL is cheap enough to run again for rejects, if any.
  const parsed = fast ? `(${fast.parsed})` : 'parsed';
  const from: Params = fast ? { copy: fast.copy } : {};
  const params = { id: fileId, source: file.source.name, role: file.source.role, first: firstLine, ...from };
  await store.run(
    `INSERT INTO events SELECT $id::BIGINT * 1000000000000 + line_no, $id, line_no, $source, $role,
       time, client_ip, forwarded_for, vhost, method, path, protocol, status, bytes, user_agent, referer,
       account, session, request_id, document
     FROM ${parsed} WHERE reject_reason IS NULL AND line_no >= $first`,
    params,
  );
  await stage('events-inserted', file.shown);
  await store.run(`INSERT INTO lines SELECT $id, line_no, line, hash(line) FROM ${fast ? `(${fast.raw})` : 'parsed'} WHERE line_no >= $first`, { id: fileId, first: firstLine, ...from });
  await stage('lines-inserted', file.shown);
  const stats = await store.one<{ events: number; first_time: Date | null; last_time: Date | null }>(
    'SELECT count(*) AS events, min(time) AS first_time, max(time) AS last_time FROM events WHERE file_id = $id',
    { id: fileId },
  );
  if (stats.events < lines.expected) {
    // The fast path's rows carry no raw text: it is in `lines` already, under the same number.
    await store.run(
      fast
        ? `INSERT INTO rejects SELECT $id, p.line_no, p.reject_reason, l.raw FROM ${parsed} p JOIN lines l ON l.file_id = $id AND l.line = p.line_no WHERE p.reject_reason IS NOT NULL`
        : `INSERT INTO rejects SELECT $id, line_no, reject_reason, line FROM parsed WHERE reject_reason IS NOT NULL AND line_no >= $first`,
      fast ? { id: fileId, ...from } : { id: fileId, first: firstLine },
    );
  }
  const examples = await store.all<{ line: number; reason: string }>(
    `SELECT line, reason FROM rejects WHERE file_id = $id ORDER BY line LIMIT ${REJECT_EXAMPLES}`,
    { id: fileId },
  );
  const { rejected } = await store.one<{ rejected: number }>('SELECT count(*) AS rejected FROM rejects WHERE file_id = $id', { id: fileId });
  if (fast) await checkFastRows(store, facts, fileId, lines.expected);
  if (stats.events + rejected !== lines.expected) {
    // Every non-blank, non-comment line is an event or a reject; anything else is a reader bug.
    throw new UserError(
      { what: `${file.shown}: ${stats.events} events + ${rejected} rejected lines, but the file has ${lines.expected} lines to read`, why: 'a line would be lost or counted twice', help: 'report this file to the breachscope developers' },
      EXIT.runtime,
    );
  }
  const chainId = identity.chainId ?? fileId;
  await store.run(
    `INSERT INTO files VALUES ($id, $chain, $settings, $source, $role, $path, $abs, $sha, $bytes, $content_sha, $content_bytes, $lf, $head,
       $format, $reason, $first, $physical, $lines, $comments, $events, $rejected, $t0, $t1, $warnings::VARCHAR[], now())`,
    {
      id: fileId,
      chain: chainId,
      settings: identity.settings,
      content_sha: facts.contentSha256,
      content_bytes: facts.contentBytes,
      lf: facts.endsWithLineEnd,
      head: identity.headSha ?? null,
      source: file.source.name,
      role: file.source.role,
      path: file.shown,
      abs: file.abs,
      sha: facts.sha256,
      bytes: facts.bytes,
      format: format.name,
      reason: formatReason ?? null,
      first: firstLine,
      physical: facts.physicalLines,
      lines: lines.expected,
      comments: lines.comments,
      events: stats.events,
      rejected,
      t0: stats.first_time,
      t1: stats.last_time,
      warnings: warnings,
    },
  );
  await stage('file-row-inserted', file.shown);
  return { fileId, chainId, lines: lines.expected, comments: lines.comments, events: stats.events, rejected, rejectExamples: examples };
}
