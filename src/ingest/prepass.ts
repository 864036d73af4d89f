import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, readSync, closeSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { RESERVED_BYTES } from '../formats/format.js';

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

function magic(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw readError(e);
  }
  try {
    const head = Buffer.alloc(6);
    return head.subarray(0, readSync(fd, head, 0, 6, 0));
  } finally {
    closeSync(fd);
  }
}

const isGzip = (file: string) => {
  const m = magic(file);
  return m[0] === 0x1f && m[1] === 0x8b;
};

/** Compressions breachscope does not read, by magic bytes, so the message can say how to fix it. */
export function unsupportedCompression(file: string): string | undefined {
  const m = magic(file);
  if (m.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (m[0] === 0xfd && m.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'xz';
  if (m[0] === 0x28 && m[1] === 0xb5 && m[2] === 0x2f && m[3] === 0xfd) return 'zstd';
  if (m.subarray(0, 4).toString('latin1') === 'PK\x03\x04') return 'zip';
  return undefined;
}

/**
 * Streams the decompressed content in chunks that end at a line end (the last one may not).
 * A decompression error (a truncated or corrupt gzip stream) ends the stream after the data
 * before it; `damage.message` then says what happened. Errors reading the file itself are the
 * caller's (`Opened.rawError`): they are not damage in the content.
 */
async function* lineChunks(content: Readable, damage: { message?: string }, maxLine = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  // The unfinished line is kept in parts and joined once: joining at every chunk is quadratic in a long line.
  let parts: Buffer[] = [];
  let carried = 0;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      const cut = chunk.lastIndexOf(LF);
      if (cut < 0) {
        parts.push(chunk);
        carried += chunk.length;
        if (carried > maxLine) {
          // A line longer than any reader takes (a binary or NUL-filled file): passed on in pieces
          // that do not end at a line end, instead of held whole in memory.
          yield* parts;
          parts = [];
          carried = 0;
        }
        continue;
      }
      parts.push(chunk.subarray(0, cut + 1));
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts = cut + 1 < chunk.length ? [chunk.subarray(cut + 1)] : [];
      carried = chunk.length - cut - 1;
    }
  } catch (e) {
    damage.message = (e as Error).message;
  }
  if (carried > 0) yield Buffer.concat(parts);
}

interface Opened {
  readonly content: Readable;
  readonly rawEnd: Promise<unknown>;
  /** Bytes read from the file so far. */
  readonly seen: () => number;
  /** An error reading the file (not decompressing it), if one happened. */
  readonly rawError: () => Error | undefined;
}

/**
 * Reads the first `bytes` bytes of the file and no more: a log still being written grows while it
 * is read, and everything breachscope records of a file (hash, length, lines) must describe one
 * and the same run of bytes. The rest is read by the next run, as a grown file.
 */
function open(file: string, gzip: boolean, bytes: number, hash: Hash | undefined, prefixes: Prefixes | undefined, onRaw?: (n: number) => void): Opened {
  // createReadStream cannot read zero bytes (`end` is inclusive): an empty file is an empty stream.
  const raw: Readable = bytes > 0 ? createReadStream(file, { highWaterMark: 1 << 20, start: 0, end: bytes - 1 }) : Readable.from([]);
  // `once` rejects on 'error'; the error itself is kept in rawError, for the caller to throw.
  const rawEnd = once(raw, 'close').catch(() => undefined);
  let seen = 0;
  let rawError: Error | undefined;
  raw.on('error', (e: Error) => (rawError = e));
  raw.on('data', (chunk) => {
    const b = chunk as Buffer;
    if (prefixes && hash) prefixes.update(hash, b, seen);
    else hash?.update(b);
    seen += b.length;
    onRaw?.(b.length);
  });
  const opened = { rawEnd, seen: () => seen, rawError: () => rawError };
  if (!gzip) return { content: raw, ...opened };
  const gunzip = createGunzip();
  raw.on('error', (e: Error) => gunzip.destroy(e));
  // The raw stream is read to its end even when decompression fails, so the hash covers every byte.
  gunzip.on('error', () => raw.resume());
  return { content: raw.pipe(gunzip), ...opened };
}

/**
 * Hashes a stream while taking the digest of every prefix asked for on the way: at each offset
 * the running hash is copied and finished, so one pass gives the whole hash and every prefix's.
 */
class Prefixes {
  readonly digests = new Map<number, string>();
  private next = 0;

  constructor(private readonly offsets: readonly number[]) {}

  /** Feeds `chunk`, which starts at content offset `at`, into `hash`. */
  update(hash: Hash, chunk: Buffer, at: number): void {
    let from = 0;
    while (this.next < this.offsets.length && this.offsets[this.next]! <= at + chunk.length) {
      const cut = this.offsets[this.next]! - at;
      if (cut > from) hash.update(chunk.subarray(from, cut));
      from = Math.max(from, cut);
      this.digests.set(this.offsets[this.next]!, hash.copy().digest('hex'));
      this.next++;
    }
    if (from < chunk.length) hash.update(chunk.subarray(from));
  }
}

/** An error from the file system (not from the content), with its code: EACCES, EIO, ENOENT... */
export class FileReadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

function readError(e: unknown): FileReadError {
  const err = e as NodeJS.ErrnoException;
  return new FileReadError(err.code ?? 'EIO', err.message);
}

/**
 * One pass over the file: its SHA-256 (of the bytes on disk), its line count, a sample, and
 * whether DuckDB's CSV reader would misread it (CR line ends, invalid UTF-8, reserved bytes,
 * a damaged gzip stream). DuckDB reads clean files directly; the others through `writeCopy`.
 */
export async function examine(file: string, size: number, prefixOffsets: readonly number[] = [], onRaw?: (n: number) => void, onLines?: (n: number) => void): Promise<FileFacts> {
  const gzip = isGzip(file);
  const hash = createHash('sha256');
  const offsets = [...new Set(prefixOffsets)].filter((n) => n >= 0).sort((a, b) => a - b);
  const prefixes = new Prefixes(offsets);
  // A plain file's content is its bytes: one hash serves both. A gzip file's content is hashed apart.
  const contentHash = gzip ? createHash('sha256') : undefined;
  const { content, rawEnd, seen, rawError } = open(file, gzip, size, hash, gzip ? undefined : prefixes, onRaw);
  const damage: { message?: string } = {};
  let lines = 0;
  let linesShown = 0;
  let lastByte = LF;
  let hasCr = false;
  let badUtf8 = false;
  const reserved = new Set<number>();
  const sample: string[] = [];
  let pos = 0;
  let lineStart = 0;
  let longestLine = { line: 0, bytes: 0 };
  const shape = { emptyLines: 0, whitespaceLines: 0, commentLines: 0, otherEscapes: false, lineSum: 0 };
  /** A line of `length` bytes starting at chunk[at]: its share of the shape. */
  const see = (chunk: Buffer, at: number, length: number, lineNo: number) => {
    if (length === 0) {
      shape.emptyLines++;
      return;
    }
    shape.lineSum = (shape.lineSum + ((lineNo * length) % LINE_SUM_MODULUS)) % LINE_SUM_MODULUS;
    const first = chunk[at];
    if (first === HASH) shape.commentLines++;
    else if (first === SPACE || first === TAB) {
      let k = at + 1;
      while (k < at + length && (chunk[k] === SPACE || chunk[k] === TAB)) k++;
      if (k === at + length) shape.whitespaceLines++;
    }
  };
  for await (const chunk of lineChunks(content, damage, MAX_LINE_BYTES)) {
    if (contentHash) prefixes.update(contentHash, chunk, pos);
    let from = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      lines++;
      if (pos + i - lineStart > longestLine.bytes) longestLine = { line: lines, bytes: pos + i - lineStart };
      // A line longer than a chunk (only past MAX_LINE_BYTES, a file that is not read) starts in an earlier chunk.
      if (lineStart >= pos) see(chunk, from, i - from, lines);
      lineStart = pos + i + 1;
      from = i + 1;
    }
    if (!shape.otherEscapes) {
      for (let b = chunk.indexOf(BACKSLASH); b >= 0; b = chunk.indexOf(BACKSLASH, b + 2)) {
        if (chunk[b + 1] !== QUOTE) {
          shape.otherEscapes = true;
          break;
        }
      }
    }
    pos += chunk.length;
    // The progress line counts lines as they are read, not when the file is done.
    onLines?.(lines - linesShown);
    linesShown = lines;
    lastByte = chunk[chunk.length - 1]!;
    if (!hasCr && chunk.indexOf(CR) >= 0) hasCr = true;
    if (!badUtf8 && !isUtf8(chunk)) badUtf8 = true;
    for (const b of RESERVED_BYTES) if (!reserved.has(b) && chunk.indexOf(b) >= 0) reserved.add(b);
    if (sample.length < SAMPLE_LINES) {
      for (const l of chunk.toString('utf8').split('\n')) {
        const t = l.replace(/\r$/, '');
        if (t.trim() !== '' && sample.length < SAMPLE_LINES) sample.push(t);
      }
    }
  }
  const endsWithLineEnd = lastByte === LF;
  if (!endsWithLineEnd) {
    lines++;
    if (pos - lineStart > longestLine.bytes) longestLine = { line: lines, bytes: pos - lineStart };
    // The last line has no line end; it is not seen above. The fast path does not read such a
    // file, so its shape only needs to be right for the count of lines.
  }
  await rawEnd;
  const failed = rawError();
  if (failed) throw readError(failed);
  const gzipDamage = damage.message;
  const copyReasons: string[] = [];
  const warnings: string[] = [];
  if (!gzip && /\.gz$/i.test(file) && seen() > 0) {
    warnings.push('named .gz but not gzip-compressed (no gzip header): read as plain text; if it should be compressed, it was damaged or renamed: take the original file');
  }
  if (hasCr) copyReasons.push('CR characters (CRLF line ends)');
  if (badUtf8) copyReasons.push('invalid UTF-8, replaced by U+FFFD');
  if (reserved.size > 0) copyReasons.push(`control bytes ${[...reserved].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}, replaced by U+FFFD`);
  if (gzipDamage) {
    copyReasons.push('damaged gzip stream');
    const cut = endsWithLineEnd ? '' : ` (line ${lines} is cut off where the damage starts)`;
    warnings.push(`damaged gzip stream (${gzipDamage}): the ${lines} line(s) before the damage were read${cut}, the rest of the file is unreadable`);
  }
  if (badUtf8) warnings.push('invalid UTF-8 bytes were replaced by U+FFFD in the stored lines; the file itself is unchanged');
  // Offsets at the very end of the content are reached only once the stream is done.
  if (contentHash) prefixes.update(contentHash, Buffer.alloc(0), pos);
  else prefixes.update(hash, Buffer.alloc(0), seen());
  const sha256 = hash.digest('hex');
  return {
    sha256,
    contentSha256: contentHash ? contentHash.digest('hex') : sha256,
    contentBytes: pos,
    // What was hashed: `size` unless the file shrank while it was read (then the caller sees it changed).
    bytes: seen(),
    gzip,
    physicalLines: lines,
    copyReasons,
    warnings,
    sample,
    prefixSha256: prefixes.digests,
    endsWithLineEnd,
    longestLine,
    shape,
  };
}

const REPLACEMENT = '\uFFFD';

/**
 * Writes the decompressed content with the line structure DuckDB needs: CRLF becomes LF, a lone
 * CR, NUL and the reserved bytes become U+FFFD, invalid UTF-8 becomes U+FFFD. Line numbers do
 * not move: every physical line of the original is one line of the copy. Only the first `bytes`
 * bytes are copied: those that `examine` hashed, however much the file has grown since.
 */
export async function writeCopy(file: string, gzip: boolean, bytes: number, target: string): Promise<void> {
  const { content, rawEnd, rawError } = open(file, gzip, bytes, undefined, undefined);
  const out = createWriteStream(target);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const strip = new RegExp(`[\\r${RESERVED_BYTES.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}]`, 'g');
  for await (const chunk of lineChunks(content, {})) {
    let text = decoder.decode(chunk, { stream: true }).replaceAll('\r\n', '\n');
    // Only the last chunk can end in CR (the others end at LF): a CRLF file cut between CR and LF,
    // whose CR ends the last line as CRLF ends the others.
    if (chunk[chunk.length - 1] === CR) text = text.slice(0, -1);
    text = text.replace(strip, REPLACEMENT);
    if (!out.write(text)) await once(out, 'drain');
  }
  const rest = decoder.decode();
  if (rest) out.write(rest.replace(strip, REPLACEMENT));
  out.end();
  await once(out, 'finish');
  await rawEnd;
  const failed = rawError();
  if (failed) throw readError(failed);
}

/** Widest line-number prefix: up to 15 digits and a space (a line number stays below 2^53). */
export const PREFIX_BYTES = 16;

/**
 * Writes the fast path's copy: each non-empty line of the first `bytes` bytes, prefixed with its
 * line number and a space, empty lines left out. DuckDB's CSV reader gives no line numbers, and
 * numbering rows in SQL (`row_number() OVER ()`) holds the whole read to one thread in file order;
 * with the number in the line, the readers run on every core in any order and each row still
 * names its line. Only for files the fast path takes: every line ends with LF, no CR. Returns the
 * number of lines written.
 */
export async function writeNumberedCopy(file: string, gzip: boolean, bytes: number, target: string): Promise<number> {
  const { content, rawEnd, rawError } = open(file, gzip, bytes, undefined, undefined);
  const out = createWriteStream(target);
  let lineNo = 0;
  let written = 0;
  const digits = Buffer.alloc(PREFIX_BYTES);
  for await (const chunk of lineChunks(content, {})) {
    let count = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) count++;
    const buf = Buffer.allocUnsafe(chunk.length + count * PREFIX_BYTES);
    let at = 0;
    let from = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      lineNo++;
      if (i > from) {
        // The number's digits, right to left, then copied in order.
        let n = lineNo;
        let d = PREFIX_BYTES;
        digits[--d] = SPACE;
        do {
          digits[--d] = 0x30 + (n % 10);
          n = Math.floor(n / 10);
        } while (n > 0);
        at += digits.copy(buf, at, d);
        at += chunk.copy(buf, at, from, i + 1);
        written++;
      }
      from = i + 1;
    }
    if (!out.write(buf.subarray(0, at))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rawEnd;
  const failed = rawError();
  if (failed) throw readError(failed);
  return written;
}
