import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { RESERVED_BYTES } from '../formats/format.js';
import { lineChunks, openContent, readError } from './read-content.js';
import { numberLines } from './numbered-copy.js';

/** The copies DuckDB reads instead of a log file: sanitised for the general reader, numbered for the fast path. */

const CR = 0x0d;

const REPLACEMENT = '\uFFFD';

/**
 * Writes the decompressed content with the line structure DuckDB needs: CRLF becomes LF, a lone
 * CR, NUL and the reserved bytes become U+FFFD, invalid UTF-8 becomes U+FFFD. Line numbers do
 * not move: every physical line of the original is one line of the copy. Only the first `bytes`
 * bytes are copied: those that `examine` hashed, however much the file has grown since.
 */
export async function writeCopy(file: string, gzip: boolean, bytes: number, target: string): Promise<void> {
  const { content, rawEnd, rawError } = openContent(file, gzip, bytes);
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

/**
 * Writes the fast path's copy: each non-empty line of the first `bytes` bytes, prefixed with its
 * line number and NUMBER_END (U+0001, a space), empty lines left out. DuckDB's CSV reader gives no
 * line numbers, and numbering rows in SQL (`row_number() OVER ()`) holds the whole read to one
 * thread in file order; with the number in the line, the readers run on every core in any order
 * and each row still names its line. Only for files the fast path takes: every line ends with LF,
 * no CR. Returns the number of lines written. (`examine` writes the same copy in its own pass when
 * it is told to.)
 */
export async function writeNumberedCopy(file: string, gzip: boolean, bytes: number, target: string): Promise<number> {
  const { content, rawEnd, rawError } = openContent(file, gzip, bytes);
  const out = createWriteStream(target);
  let lineNo = 0;
  let written = 0;
  for await (const chunk of lineChunks(content, {})) {
    const numbered = numberLines(chunk, lineNo);
    lineNo += numbered.lines;
    written += numbered.written;
    if (!out.write(numbered.out)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rawEnd;
  const failed = rawError();
  if (failed) throw readError(failed);
  return written;
}
