import { isUtf8 } from 'node:buffer';
import { RESERVED_BYTES } from '../formats/format.js';
import { startDigests } from './digests.js';
import { InPassCopy, type InPassPlan } from './numbered-copy.js';
import { isGzip, lineChunks, openContent, readError } from './read-content.js';

/** What one streaming read of a file tells before DuckDB reads it. */
export interface FileFacts {
  readonly sha256: string;
  readonly bytes: number;
  readonly gzip: boolean;
  /** Lines of the (decompressed) content, blank ones included. */
  readonly physicalLines: number;
  /** Why DuckDB cannot read the file as it is (it reads a sanitised copy instead). */
  readonly copyReasons: readonly string[];
  readonly warnings: readonly string[];
  /** The first non-blank lines, for format detection. */
  readonly sample: readonly string[];
  /** SHA-256 of the decompressed content (the same as sha256 for a plain file), and its length. */
  readonly contentSha256: string;
  readonly contentBytes: number;
  /**
   * SHA-256 of the content's first N bytes for each N asked for (the ends of stored contents) that
   * the content reaches: equal to a stored content's hash, this content begins with that one.
   */
  readonly prefixSha256: ReadonlyMap<number, string>;
  /** Whether the content read ends with a line end (an empty file does); a writer may still be mid-line otherwise. */
  readonly endsWithLineEnd: boolean;
  /** The longest line (bytes of the decompressed content, line end excluded) and its number. */
  readonly longestLine: { readonly line: number; readonly bytes: number };
  /** What the fast path needs to know of the lines, from the same pass (see LineShape). */
  readonly shape: LineShape;
  /** The fast path's numbered copy, written in the same pass when asked for (see ExamineOptions.numbered). */
  readonly numberedCopy?: { readonly path: string; readonly lines: number };
}

/**
 * Line facts the fast path relies on, counted over the bytes as they are (CR and invalid UTF-8
 * send a file to a sanitised copy and the general reader, which counts for itself).
 */
export interface LineShape {
  /** Empty lines: DuckDB's CSV reader skips them. */
  readonly emptyLines: number;
  /** Lines of spaces and tabs only: blank to breachscope, a row of empty fields to the CSV reader. */
  readonly whitespaceLines: number;
  /** Lines starting with '#'. */
  readonly commentLines: number;
  /** Whether a backslash is followed by anything but `"` (`\\`, `\x22`...): the CSV reader would drop it. */
  readonly otherEscapes: boolean;
  /**
   * Sum over non-empty lines of line number times length in bytes, modulo LINE_SUM_MODULUS: the
   * stored (line, raw) pairs must give the same sum, or a line number was misassigned.
   */
  readonly lineSum: number;
}

/** A prime below 2^31: line x bytes stays below 2^53 in JavaScript, and SQL takes the same modulus. */
export const LINE_SUM_MODULUS = 2_147_483_647;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;

const SAMPLE_LINES = 64;
/** The longest line DuckDB's CSV reader is given room for; it needs the bound up front. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/** What a pass over the content counts, chunk by chunk (see `examine`). */
class LineScan {
  lines = 0;
  pos = 0;
  lastByte = LF;
  hasCr = false;
  badUtf8 = false;
  readonly reserved = new Set<number>();
  readonly sample: string[] = [];
  longestLine = { line: 0, bytes: 0 };
  readonly shape = { emptyLines: 0, whitespaceLines: 0, commentLines: 0, otherEscapes: false, lineSum: 0 };
  private lineStart = 0;

  /** A chunk of whole lines (the last may be cut, at the end of the content). */
  add(chunk: Buffer): void {
    let from = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      this.lines++;
      if (this.pos + i - this.lineStart > this.longestLine.bytes) this.longestLine = { line: this.lines, bytes: this.pos + i - this.lineStart };
      // A line longer than a chunk (only past MAX_LINE_BYTES, a file that is not read) starts in an earlier chunk.
      if (this.lineStart >= this.pos) this.see(chunk, from, i - from);
      this.lineStart = this.pos + i + 1;
      from = i + 1;
    }
    if (!this.shape.otherEscapes) {
      for (let b = chunk.indexOf(BACKSLASH); b >= 0; b = chunk.indexOf(BACKSLASH, b + 2)) {
        if (chunk[b + 1] !== QUOTE) {
          this.shape.otherEscapes = true;
          break;
        }
      }
    }
    this.pos += chunk.length;
    this.lastByte = chunk[chunk.length - 1]!;
    if (!this.hasCr && chunk.indexOf(CR) >= 0) this.hasCr = true;
    if (!this.badUtf8 && !isUtf8(chunk)) this.badUtf8 = true;
    for (const b of RESERVED_BYTES) if (!this.reserved.has(b) && chunk.indexOf(b) >= 0) this.reserved.add(b);
    if (this.sample.length < SAMPLE_LINES) this.takeSample(chunk);
  }

  /** Whether what was read so far keeps the fast path away (see fastPathRefusal): its copy is not worth writing. */
  get refusesFastPath(): boolean {
    const s = this.shape;
    return this.hasCr || this.badUtf8 || this.reserved.size > 0 || s.commentLines > 0 || s.whitespaceLines > 0 || s.otherEscapes;
  }

  /** The last line has no line end: it is not seen above. The fast path does not read such a file, so its shape only needs to be right for the count of lines. */
  finish(): void {
    if (this.lastByte === LF) return;
    this.lines++;
    if (this.pos - this.lineStart > this.longestLine.bytes) this.longestLine = { line: this.lines, bytes: this.pos - this.lineStart };
  }

  /** A line of `length` bytes starting at chunk[at]: its share of the shape. */
  private see(chunk: Buffer, at: number, length: number): void {
    const shape = this.shape;
    if (length === 0) {
      shape.emptyLines++;
      return;
    }
    shape.lineSum = (shape.lineSum + ((this.lines * length) % LINE_SUM_MODULUS)) % LINE_SUM_MODULUS;
    const first = chunk[at];
    if (first === HASH) shape.commentLines++;
    else if (first === SPACE || first === TAB) {
      let k = at + 1;
      while (k < at + length && (chunk[k] === SPACE || chunk[k] === TAB)) k++;
      if (k === at + length) shape.whitespaceLines++;
    }
  }

  private takeSample(chunk: Buffer): void {
    for (const l of chunk.toString('utf8').split('\n')) {
      const t = l.replace(/\r$/, '');
      if (t.trim() !== '' && this.sample.length < SAMPLE_LINES) this.sample.push(t);
    }
  }
}

/** Why DuckDB cannot read the file as it is, and what to tell the reader about it. */
function verdict(file: string, gzip: boolean, seen: number, scan: LineScan, gzipDamage: string | undefined): { copyReasons: string[]; warnings: string[] } {
  const copyReasons: string[] = [];
  const warnings: string[] = [];
  if (!gzip && /\.gz$/i.test(file) && seen > 0) {
    warnings.push('named .gz but not gzip-compressed (no gzip header): read as plain text; if it should be compressed, it was damaged or renamed: take the original file');
  }
  if (scan.hasCr) copyReasons.push('CR characters (CRLF line ends)');
  if (scan.badUtf8) copyReasons.push('invalid UTF-8, replaced by U+FFFD');
  if (scan.reserved.size > 0) copyReasons.push(`control bytes ${[...scan.reserved].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}, replaced by U+FFFD`);
  if (gzipDamage) {
    copyReasons.push('damaged gzip stream');
    const cut = scan.lastByte === LF ? '' : ` (line ${scan.lines} is cut off where the damage starts)`;
    warnings.push(`damaged gzip stream (${gzipDamage}): the ${scan.lines} line(s) before the damage were read${cut}, the rest of the file is unreadable`);
  }
  if (scan.badUtf8) warnings.push('invalid UTF-8 bytes were replaced by U+FFFD in the stored lines; the file itself is unchanged');
  return { copyReasons, warnings };
}

export interface ExamineOptions {
  /** Content offsets whose prefix digests are wanted (the ends of stored contents). */
  readonly prefixOffsets?: readonly number[];
  readonly onRaw?: (n: number) => void;
  readonly onLines?: (n: number) => void;
  /** Where to write the fast path's numbered copy in this pass, if the first lines make it likely (plain files only). */
  readonly numbered?: InPassPlan;
}

/**
 * One pass over the file: its SHA-256 (of the bytes on disk; a large file's in a worker thread, see
 * digests.ts), its line count, a sample, and whether DuckDB's CSV reader would misread it (CR line
 * ends, invalid UTF-8, reserved bytes, a damaged gzip stream). DuckDB reads clean files directly;
 * the others through `writeCopy`. Asked to, it writes the fast path's numbered copy on the way.
 */
export async function examine(file: string, size: number, o: ExamineOptions = {}): Promise<FileFacts> {
  const gzip = isGzip(file);
  const digests = startDigests({ file, gzip, offsets: o.prefixOffsets ?? [], size });
  const copy = new InPassCopy(gzip ? undefined : o.numbered);
  try {
    const { content, rawEnd, seen, rawError } = openContent(file, gzip, size, (n, chunk) => {
      digests.raw(chunk);
      o.onRaw?.(n);
    });
    const damage: { message?: string } = {};
    const scan = new LineScan();
    for await (const chunk of lineChunks(content, damage, MAX_LINE_BYTES)) {
      if (gzip) digests.content(chunk);
      const before = scan.lines;
      scan.add(chunk);
      // The progress line counts lines as they are read, not when the file is done.
      o.onLines?.(scan.lines - before);
      await copy.add(chunk, scan.lines - before, scan.sample, scan.refusesFastPath);
      await digests.ready();
    }
    scan.finish();
    await rawEnd;
    const failed = rawError();
    if (failed) throw readError(failed);
    const { sha256, contentSha256, prefixSha256 } = await digests.finish();
    const numberedCopy = await copy.finish();
    return {
      sha256,
      contentSha256,
      contentBytes: scan.pos,
      // What was hashed: `size` unless the file shrank while it was read (then the caller sees it changed).
      bytes: seen(),
      gzip,
      physicalLines: scan.lines,
      ...verdict(file, gzip, seen(), scan, damage.message),
      sample: scan.sample,
      prefixSha256,
      endsWithLineEnd: scan.lastByte === LF,
      longestLine: scan.longestLine,
      shape: scan.shape,
      ...(numberedCopy ? { numberedCopy } : {}),
    };
  } catch (e) {
    digests.abort();
    await copy.discard();
    throw e;
  }
}
