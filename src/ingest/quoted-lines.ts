import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Params, Store } from '../db/store.js';
import { EXIT, UserError } from '../util/user-error.js';
import { stage } from '../util/trace.js';
import { lineSizes, numberedLines } from './load-file.js';
import { NUMBER_END, PREFIX_BYTES } from './numbered-copy.js';
import { isGzip, lineChunks, openContent, readError } from './read-content.js';

/**
 * The text of stored lines where they are quoted: the evidence pack, the exports, the dashboard.
 * A line the fast path read is the file's own bytes, so the store keeps its hash and length and
 * not its text (writing the text of every line cost 1.5-2 s per 2M lines, for the few lines a
 * pack quotes). Its text is read again from the case file that holds it now (case_chain_file),
 * and trusted only if that file still hashes to the SHA-256 this run recorded and each line read
 * has the stored hash and length.
 */

/** `quoted_lines(file_id, line, raw)`: the text of each (file_id, line) that `needed` selects. */
export async function quoteLines(store: Store, needed: string, params?: Params): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE quoted_lines AS
     SELECT l.file_id, l.line, l.raw, l.h, l.len
     FROM lines l JOIN (SELECT DISTINCT file_id, line FROM (${needed})) n ON n.file_id = l.file_id AND n.line = l.line`,
    params,
  );
  const chains = await store.all<{ chain_id: number; path: string; abs_path: string; sha256: string; bytes: number }>(
    `SELECT DISTINCT k.chain_id, k.path, k.abs_path, k.sha256, k.bytes
     FROM quoted_lines q JOIN case_segments s ON s.file_id = q.file_id JOIN case_chain_file k ON k.chain_id = s.chain_id
     WHERE q.raw IS NULL ORDER BY k.path`,
  );
  for (const chain of chains) await readAgain(store, chain);
  await checkQuoted(store);
  await stage('quoted');
}

/** Fills the chain's lines that have no text from its file, read up to the bytes this run hashed. */
async function readAgain(store: Store, chain: { chain_id: number; path: string; abs_path: string; sha256: string; bytes: number }): Promise<void> {
  const copy = store.tempFile(`quoted-${process.pid}-${chain.chain_id}.log`);
  const inChain = 'q.file_id IN (SELECT file_id FROM case_segments WHERE chain_id = $chain)';
  const { longest, last } = await store.one<{ longest: number; last: number }>(
    `SELECT max(len) AS longest, max(line) AS last FROM quoted_lines q WHERE q.raw IS NULL AND ${inChain}`,
    { chain: chain.chain_id },
  );
  // One bit per line of the file up to the last one wanted: 2.5 MB for 20M lines, whatever the number of findings.
  const wanted = new Uint8Array(Math.floor(last / 8) + 1);
  for await (const { columns } of store.columnChunks(`SELECT line FROM quoted_lines q WHERE q.raw IS NULL AND ${inChain}`, { chain: chain.chain_id })) {
    for (const n of columns[0] as number[]) wanted[n >> 3]! |= 1 << (n & 7);
  }
  try {
    await stage('quoting', chain.path);
    const sha256 = await writeWantedLines(chain.abs_path, chain.bytes, wanted, copy);
    if (sha256 !== chain.sha256) throw changed(chain.path, 'its bytes no longer have the SHA-256 this run read');
    await store.run(
      `UPDATE quoted_lines q SET raw = r.line FROM (${numberedLines('$copy', lineSizes(longest + PREFIX_BYTES))}) r
       WHERE q.raw IS NULL AND r.line_no = q.line AND ${inChain}`,
      { copy, chain: chain.chain_id },
    );
  } finally {
    rmSync(copy, { force: true });
  }
}

/** Every quoted line must have a text with the hash and length stored when it was read. */
async function checkQuoted(store: Store): Promise<void> {
  const bad = await store.all<{ path: string; line: number }>(
    `SELECT k.path, q.line FROM quoted_lines q JOIN case_segments s ON s.file_id = q.file_id JOIN case_chain_file k ON k.chain_id = s.chain_id
     WHERE q.raw IS NULL OR hash(q.raw) <> q.h OR strlen(q.raw) <> q.len ORDER BY k.path, q.line LIMIT 1`,
  );
  if (bad[0]) throw changed(`${bad[0].path}:${bad[0].line}`, 'the line there is not the line stored when the file was read');
}

function changed(where: string, why: string): UserError {
  return new UserError({ what: 'a log file changed after this run read it', why, where, help: 'run the command again: it reads the files as they are then' }, EXIT.runtime);
}

const LF = 0x0a;

/**
 * Writes the wanted lines of the file's first `bytes` bytes (decompressed) as `<line number>`,
 * NUMBER_END, `<text>` (the layout numberedLines reads), and returns the SHA-256 of all the bytes
 * read. Every wanted line was read by the fast path, whose file had no CR, no reserved byte and no
 * invalid UTF-8: DuckDB's line reader takes it whole (and the stored hash and length check it
 * after).
 */
async function writeWantedLines(file: string, bytes: number, wanted: Uint8Array, target: string): Promise<string> {
  const hash = createHash('sha256');
  let opened;
  try {
    opened = openContent(file, isGzip(file), bytes, (_, chunk) => hash.update(chunk));
  } catch (e) {
    throw changed(file, `it cannot be read again: ${(e as Error).message}`);
  }
  const { content, rawEnd, rawError } = opened;
  const out = createWriteStream(target);
  const last = wanted.length * 8;
  let lineNo = 0;
  for await (const chunk of lineChunks(content, {})) {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = chunk.indexOf(LF); i >= 0 && lineNo < last; i = chunk.indexOf(LF, i + 1)) {
      lineNo++;
      if ((wanted[lineNo >> 3]! & (1 << (lineNo & 7))) !== 0) parts.push(Buffer.from(`${lineNo}${NUMBER_END}`), chunk.subarray(from, i + 1));
      from = i + 1;
    }
    // Past the last wanted line the bytes are only hashed (openContent hashes every byte read).
    if (parts.length > 0 && !out.write(Buffer.concat(parts))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rawEnd;
  const failed = rawError();
  if (failed) throw changed(file, `it cannot be read again: ${readError(failed).message}`);
  return hash.digest('hex');
}
