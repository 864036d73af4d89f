import { rmSync, statSync } from 'node:fs';
import type { Params, Store } from '../db/store.js';
import { fastSql, formatSql, type LogFormat } from '../formats/format.js';
import { EVENT_VALUE_COLUMNS, PARSED_COLUMNS } from '../db/schema.js';
import { EXIT, UserError, isOutOfMemory } from '../util/user-error.js';
import { stage } from '../util/trace.js';
import { REJECT_EXAMPLES } from '../db/schema.js';
import type { RejectExample } from './file-report.js';
import { LINE_SUM_MODULUS, MAX_LINE_BYTES, type FileFacts } from './prepass.js';
import { writeNumberedCopy } from './sanitised-copy.js';
import { NUMBER_END, PREFIX_BYTES } from './numbered-copy.js';
import { quoteString } from '../db/sql.js';
import type { ResolvedFile } from './resolve-source.js';

/**
 * Reading one file into the store, in one transaction: DuckDB's CSV reader on a uniform NCSA file
 * (the fast path), else the general reader (each line one column, parsed by the format's SQL);
 * the rows are checked against what the pre-pass counted before they are committed.
 */

export function grewWarning(facts: FileFacts): string {
  return `the file grew while it was read: its first ${facts.bytes} bytes (${facts.physicalLines} lines, the SHA-256 above) were read; the next run reads the rest`;
}

export function currentSize(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.size;
}

export function csvSource(file: string, gzip: boolean): string {
  // The path is bound as a parameter; the options are constants of this program.
  return `read_csv($file, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', comment = '', header = false,
    auto_detect = false, new_line = '\\n', strict_mode = false, compression = '${gzip ? 'gzip' : 'none'}',
    max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES * 2})`;
}

export async function readLines(store: Store, file: ResolvedFile, from: string, gzip: boolean): Promise<void> {
  try {
    // rowid + 1 is the line number: the rows must keep the file's order.
    await store.run('SET preserve_insertion_order = true');
    await store.run(`CREATE OR REPLACE TEMP TABLE raw_lines AS SELECT line FROM ${csvSource(from, gzip)}`, { file: from });
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    // DuckDB's CSV errors quote the offending line whole: it could be megabytes of hostile bytes.
    const why = String((e as Error).message)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('Original Line'))
      .slice(0, 3)
      .map((l) => (l.length > 200 ? `${l.slice(0, 200)}...` : l).replace(/[\x00-\x1f\x7f-\x9f]/g, '?'))
      .join(' ');
    throw new UserError({ what: `${file.shown}: DuckDB could not read its lines`, why, where: file.abs, help: 'report this file to the breachscope developers' }, EXIT.runtime);
  } finally {
    await store.run('SET preserve_insertion_order = false');
  }
}

export async function checkLineCount(store: Store, file: ResolvedFile, facts: FileFacts): Promise<void> {
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

export interface LineFacts {
  /** Non-blank, non-comment lines from firstLine on: what events + rejects must add up to. */
  readonly expected: number;
  readonly comments: number;
}

export async function lineFacts(store: Store, firstLine: number): Promise<LineFacts> {
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
export async function readFast(store: Store, file: ResolvedFile, plan: ReadPlan): Promise<LoadCounts | undefined> {
  const { format, facts, warnings } = plan;
  // examine wrote the copy in its pass, when the first lines made the fast path likely.
  const inPass = facts.numberedCopy;
  const copy = inPass?.path ?? numberedCopyPath(store);
  try {
    if (inPass && (currentSize(file.abs) ?? 0) < facts.bytes) {
      // The bytes hashed are gone (truncated, replaced): the general reader reads the file and says so.
      trace('fast path stepped aside: the file shrank since it was read');
      return undefined;
    }
    if (inPass) trace('fast path reads the numbered copy written in the examine pass');
    // A copy of exactly the bytes hashed: a file growing meanwhile does not reach DuckDB.
    const written = inPass ? inPass.lines : await writeNumberedCopy(file.abs, facts.gzip, facts.bytes, copy);
    await stage('numbered-copy-written', file.shown);
    // What DuckDB reads is the copy, of the bytes hashed; lines written since are the next run's.
    if ((currentSize(file.abs) ?? 0) > facts.bytes) warnings.push(grewWarning(facts));
    const expected = facts.physicalLines - facts.shape.emptyLines;
    if (written !== expected) {
      trace(`fast path stepped aside: the copy has ${written} lines, the file ${expected}`);
      return undefined;
    }
    const lines: LineFacts = { expected, comments: 0 };
    // Rows land in any order (event ids and line numbers say where each is from).
    const counts = await store.transaction(() => loadFile(store, file, plan, lines, { ...fastQueries(format, file, facts), copy }));
    await stage('committed', file.shown);
    return counts;
  } catch (e) {
    // A line the CSV reader refuses, or rows that are not the file's lines: the general reader
    // reads every line and says what is wrong with each.
    trace(`fast path stepped aside: ${(e as Error).message}`);
    return undefined;
  } finally {
    rmSync(copy, { force: true });
  }
}

/** Where the fast path's numbered copy of the file being read is written (by examine, or by readFast). */
export const numberedCopyPath = (store: Store) => store.tempFile(`numbered-${process.pid}.log`);

/** With BREACHSCOPE_TRACE_STAGES=1, why a file took the reader it took. */
export function trace(message: string): void {
  if (process.env.BREACHSCOPE_TRACE_STAGES === '1') process.stderr.write(`trace ${message}\n`);
}

/**
 * The CSV reader's bounds for a file whose longest line is known: each reading thread holds a
 * buffer of buffer_size, so a file of short lines gets DuckDB's default (32 MB), not room for the
 * longest line any file may have.
 */
export function lineSizes(longest: number): string {
  const max = Math.min(MAX_LINE_BYTES, Math.max(2 * 1024 * 1024, longest + 1));
  return `max_line_size = ${max}, buffer_size = ${Math.max(32 * 1024 * 1024, 2 * max)}`;
}

/** Whether the pre-pass shows a file the fast path can read; the reason when not (for tracing). */
export function fastPathRefusal(format: LogFormat, facts: FileFacts, firstLine: number): string | undefined {
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
export function fastQueries(format: LogFormat, file: ResolvedFile, facts: FileFacts): { parsed: string; raw: string } {
  const fast = format.fast!;
  const sizes = lineSizes(facts.longestLine.bytes + PREFIX_BYTES);
  // The number ends in U+0001 (NUMBER_END): read as text, cast without it.
  const columns = ["'line_no': 'VARCHAR'", ...fast.columns.map((c) => `'${c}': 'VARCHAR'`)].join(', ');
  const csv = `read_csv($copy, columns = {${columns}}, delim = ' ', quote = '"', escape = '\\', header = false, auto_detect = false,
    new_line = '\\n', strict_mode = true, allow_quoted_nulls = false, ${sizes})`;
  return {
    parsed: `WITH fast AS (SELECT * REPLACE (CAST(left(line_no, -1) AS BIGINT) AS line_no) FROM ${csv})
      SELECT * FROM (${fastSql(fast, { timezone: file.source.timezone, fields: file.source.fields })})`,
    raw: numberedLines('$copy', sizes),
  };
}

/**
 * `line_no, line` of a numbered copy (writeNumberedCopy) at the path parameter `file`, each line
 * whole: split at NUMBER_END into two columns, so the text is the CSV reader's own column and no
 * SQL cuts it out of the numbered line (0.3-0.8 s per 2M lines). No line of a copy holds
 * NUMBER_END: a file with control bytes takes the general reader (examine's copyReasons). Were one
 * to, it would be cut there, its length would differ from the one examine counted, and
 * checkFastRows would refuse the file before any of it is kept.
 */
export function numberedLines(file: string, sizes: string): string {
  return `SELECT line_no, line FROM read_csv(${file}, columns = {'line_no': 'BIGINT', 'line': 'VARCHAR'}, delim = ${quoteString(NUMBER_END)},
    quote = '', escape = '', comment = '', header = false, auto_detect = false, new_line = '\\n', strict_mode = false, ${sizes})`;
}

/** The fast path's rows do not stand for the file's lines: its transaction is rolled back. */
export class FastPathRefused extends Error {}

/** What is known of a file before its rows are loaded, and how they are to be read. */
export interface ReadPlan {
  readonly format: LogFormat;
  readonly facts: FileFacts;
  /** 1, or the first line past a chain's stored content. */
  readonly firstLine: number;
  readonly formatReason: string | undefined;
  readonly warnings: string[];
  readonly identity: Identity;
}

/** Where a file's content belongs in the store. */
export interface Identity {
  readonly settings: string;
  /** The chain it continues; undefined: it starts a chain of its own. */
  readonly chainId: number | undefined;
  readonly facts: FileFacts;
  readonly headSha: string | undefined;
}

export interface LoadCounts {
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
export async function checkFastRows(store: Store, facts: FileFacts, fileId: number, expected: number): Promise<void> {
  const sums = (table: string) => `SELECT count(*) AS n, sum(line)::VARCHAR AS s1, sum(line::HUGEINT * line)::VARCHAR AS s2 FROM ${table} WHERE file_id = $id`;
  const rows = await store.one<{ n: number; s1: string; s2: string }>(sums('(SELECT file_id, line FROM events UNION ALL SELECT file_id, line FROM rejects)'), { id: fileId });
  const raw = await store.one<{ n: number; s1: string; s2: string; len: number }>(
    `SELECT *, (SELECT (coalesce(sum(line * len), 0) % ${LINE_SUM_MODULUS})::BIGINT FROM lines WHERE file_id = $id) AS len FROM (${sums('lines')})`,
    { id: fileId },
  );
  if (rows.n !== expected || raw.n !== expected) throw new FastPathRefused(`${rows.n} rows and ${raw.n} raw lines for ${expected} lines`);
  if (rows.s1 !== raw.s1 || rows.s2 !== raw.s2) throw new FastPathRefused('the rows do not carry the line numbers of the raw lines');
  if (raw.len !== facts.shape.lineSum) throw new FastPathRefused(`line sum ${raw.len}, the file's is ${facts.shape.lineSum}`);
}

export async function loadFile(
  store: Store,
  file: ResolvedFile,
  plan: ReadPlan,
  lines: LineFacts,
  fast: { readonly parsed: string; readonly raw: string; readonly copy: string } | undefined,
): Promise<LoadCounts> {
  const { facts, firstLine, identity } = plan;
  const { file_id: fileId } = await store.one<{ file_id: number }>('SELECT coalesce(max(file_id), 0) + 1 AS file_id FROM files');
  if (!fast) await materializeParsed(store, file, plan);
  // The fast path is not materialised: its SQL is cheap enough to run again for rejects, if any.
  const parsed = fast ? `(${fast.parsed})` : 'parsed';
  const from: Params = fast ? { copy: fast.copy } : {};
  const params = { id: fileId, source: file.source.name, role: file.source.role, first: firstLine, ...from };
  await store.run(
    `INSERT INTO events SELECT $id::BIGINT * 1000000000000 + line_no, $id, line_no, $source, $role, ${EVENT_VALUE_COLUMNS.join(', ')}
     FROM ${parsed} WHERE reject_reason IS NULL AND line_no >= $first`,
    params,
  );
  await stage('events-inserted', file.shown);
  // The fast path's lines are the file's bytes: their text is read again where a line is quoted
  // (quoted-lines.ts), checked against the hash and length kept here. Storing the text of every
  // line cost 1.5-2 s per 2M lines; the general reader's lines may differ from the bytes (CRLF,
  // replaced bytes), so their text is kept.
  await store.run(
    `INSERT INTO lines SELECT $id, line_no, ${fast ? 'NULL' : 'line'}, hash(line), strlen(line) FROM ${fast ? `(${fast.raw})` : `(${READ_LINES})`} WHERE line_no >= $first`,
    { id: fileId, first: firstLine, ...from },
  );
  await stage('lines-inserted', file.shown);
  const stats = await store.one<{ events: number; first_time: Date | null; last_time: Date | null }>(
    'SELECT count(*) AS events, min(time) AS first_time, max(time) AS last_time FROM events WHERE file_id = $id',
    { id: fileId },
  );
  if (stats.events < lines.expected) {
    // The fast path's rows carry no raw text: the copy's line of the same number has it.
    await store.run(
      fast
        ? `INSERT INTO rejects SELECT $id, p.line_no, p.reject_reason, r.line FROM ${parsed} p JOIN (${fast.raw}) r ON r.line_no = p.line_no WHERE p.reject_reason IS NOT NULL`
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
  await insertFileRow(store, file, plan, { fileId, chainId, lines, events: stats.events, rejected, t0: stats.first_time, t1: stats.last_time });
  await stage('file-row-inserted', file.shown);
  return { fileId, chainId, lines: lines.expected, comments: lines.comments, events: stats.events, rejected, rejectExamples: examples };
}

/** The lines the general reader reads: numbered, neither blank nor comments (the caller adds `line_no >= $first`). */
const READ_LINES = `SELECT rowid + 1 AS line_no, line FROM raw_lines WHERE line IS NOT NULL AND NOT regexp_full_match(line, '[ \t]*') AND NOT starts_with(line, '#')`;

/**
 * The general reader's rows: every line from `firstLine` parsed by the format's SQL, in `parsed`.
 * The raw text is kept for rejected lines only (`lines` is filled from raw_lines): copying every
 * line into a scratch table cost 0.1-0.3 s per 200,000 lines.
 */
async function materializeParsed(store: Store, file: ResolvedFile, plan: ReadPlan): Promise<void> {
  const { format, firstLine, facts } = plan;
  const sql = formatSql(format, { timezone: file.source.timezone, fields: file.source.fields, longestLine: facts.longestLine.bytes });
  await store.run(
    `CREATE OR REPLACE TEMP TABLE parsed AS
     WITH lines AS (
       SELECT * FROM (${READ_LINES}) WHERE line_no >= $first
     ), directives AS (
       -- every '#' line of the file, those before $first too: a grown W3C file's header is above the new lines
       SELECT rowid + 1 AS line_no, line FROM raw_lines WHERE starts_with(line, '#')
     )
     SELECT line_no, CASE WHEN reject_reason IS NOT NULL THEN line END AS line, ${PARSED_COLUMNS.join(', ')} FROM (${sql})`,
    { first: firstLine },
  );
}

/** The file's row in `files`: its identity, what was read, and what was said of it. */
async function insertFileRow(
  store: Store,
  file: ResolvedFile,
  plan: ReadPlan,
  r: { fileId: number; chainId: number; lines: LineFacts; events: number; rejected: number; t0: Date | null; t1: Date | null },
): Promise<void> {
  const { format, facts, firstLine, formatReason, warnings, identity } = plan;
  const { fileId, chainId, lines } = r;
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
      events: r.events,
      rejected: r.rejected,
      t0: r.t0,
      t1: r.t1,
      warnings: warnings,
    },
  );
}

/** The bytes hashed are no longer there to read: the file shrank or went away mid-read. */
export class FileChangedError extends Error {}
