import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** The fast path's numbered copy (see writeNumberedCopy), written chunk by chunk. */

const LF = 0x0a;
/**
 * What ends a line number in the copy: U+0001 then a space. The field reader splits at spaces and
 * takes `N<U+0001>` for the number (the line's first field still starts after a space, quoted or
 * not); the line reader splits at the pair and takes the rest of the line whole as a column of its
 * own, so no SQL cuts the number off (see numberedLines).
 */
export const NUMBER_END = '\x01 ';
const END_BYTES = Buffer.from(NUMBER_END, 'latin1');
/** Digits of the widest line number: a line number stays below 2^53. */
const MAX_DIGITS = 15;
/** Widest line-number prefix: the number and NUMBER_END. */
export const PREFIX_BYTES = MAX_DIGITS + END_BYTES.length;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A line number in decimal ASCII, counted up digit by digit: cheaper per line than dividing, and
 * copied byte by byte without a call into native code.
 */
class DecimalCounter {
  private readonly digits = Buffer.alloc(MAX_DIGITS, ZERO);
  private first = MAX_DIGITS - 1;

  constructor(start: number) {
    const s = String(start);
    this.digits.write(s, MAX_DIGITS - s.length, 'latin1');
    this.first = Math.min(this.first, MAX_DIGITS - s.length);
  }

  increment(): void {
    let i = MAX_DIGITS - 1;
    while (this.digits[i] === NINE) this.digits[i--] = ZERO;
    this.digits[i]!++;
    if (i < this.first) this.first = i;
  }

  /** Writes the number and NUMBER_END at buf[at]; returns the bytes written. */
  writeTo(buf: Buffer, at: number): number {
    const d = this.digits;
    let k = at;
    for (let i = this.first; i < MAX_DIGITS; i++) buf[k++] = d[i]!;
    for (let j = 0; j < END_BYTES.length; j++) buf[k++] = END_BYTES[j]!;
    return k - at;
  }
}


/**
 * A chunk of whole lines (ending at LF; a last piece without one is left out), each non-empty line
 * prefixed with its number and NUMBER_END. `lineNo` is the number of the line before the chunk's
 * first; `lfs`, when the caller has counted them, the chunk's line ends.
 */
export function numberLines(chunk: Buffer, lineNo: number, lfs?: number): { readonly out: Buffer; readonly lines: number; readonly written: number } {
  let count = lfs ?? 0;
  if (lfs === undefined) for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) count++;
  const buf = Buffer.allocUnsafe(chunk.length + count * PREFIX_BYTES);
  const number = new DecimalCounter(lineNo);
  let at = 0;
  let from = 0;
  let written = 0;
  for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
    number.increment();
    if (i > from) {
      at += number.writeTo(buf, at);
      at += chunk.copy(buf, at, from, i + 1);
      written++;
    }
    from = i + 1;
  }
  return { out: buf.subarray(0, at), lines: count, written };
}

/**
 * Writes a numbered copy from the chunks given in order; `finish` says how many lines it holds.
 * A write that fails (disk full) ends the copy: it is an optimisation, and the reader that needs
 * it writes its own then.
 */
export class NumberedCopyWriter {
  private readonly out: WriteStream;
  private lineNo = 0;
  private written = 0;
  private failed = false;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', () => (this.failed = true));
  }

  /** Returns a promise to wait for when the disk is behind, else undefined. `lfs`: the chunk's line ends, when the caller counted them. */
  write(chunk: Buffer, lfs?: number): Promise<unknown> | undefined {
    if (this.failed) return undefined;
    const { out, lines, written } = numberLines(chunk, this.lineNo, lfs);
    this.lineNo += lines;
    this.written += written;
    return this.out.write(out) ? undefined : once(this.out, 'drain').catch(() => undefined);
  }

  /** The number of lines written, or undefined when the copy could not be written (it is removed then). */
  async finish(): Promise<number | undefined> {
    if (!this.failed) {
      this.out.end();
      await once(this.out, 'finish').catch(() => undefined);
    }
    if (!this.failed) return this.written;
    await this.discard();
    return undefined;
  }

  /** Stops writing and removes what was written. */
  async discard(): Promise<void> {
    this.failed = true;
    // Closed first: a stream still opening would create the file after it was removed.
    if (!this.out.closed) await new Promise<void>((resolve) => this.out.destroy().once('close', () => resolve()));
    rmSync(this.path, { force: true });
  }
}

/** Where `examine` may write the numbered copy in its own pass, and whether to (see InPassCopy). */
export interface InPassPlan {
  readonly path: string;
  /** Asked once, with the sample of the first chunk's lines: whether the fast path is likely to read this file. */
  readonly want: (sample: readonly string[]) => boolean;
}

/**
 * The numbered copy written while `examine` reads the file, instead of in a second read: of the
 * very chunks it hashes and counts, so it holds exactly the bytes hashed. Started at the first
 * chunk when the plan wants it; dropped as soon as the lines show the fast path will not read it.
 */
export class InPassCopy {
  private writer: NumberedCopyWriter | undefined;
  private decided = false;

  constructor(private readonly plan: InPassPlan | undefined) {}

  /** `lfs`: the chunk's line ends; `refused`: what was read so far (this chunk included) already keeps the fast path away. */
  add(chunk: Buffer, lfs: number, sample: readonly string[], refused: boolean): Promise<unknown> | undefined {
    if (!this.decided) {
      this.decided = true;
      if (this.plan && !refused && this.plan.want(sample)) this.writer = new NumberedCopyWriter(this.plan.path);
    }
    if (!this.writer) return undefined;
    if (refused) return this.discard();
    return this.writer.write(chunk, lfs);
  }

  /** The copy and its number of lines, when one was written whole. */
  async finish(): Promise<{ readonly path: string; readonly lines: number } | undefined> {
    const writer = this.writer;
    this.writer = undefined;
    const lines = await writer?.finish();
    return writer && lines !== undefined ? { path: writer.path, lines } : undefined;
  }

  async discard(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.discard();
  }
}
