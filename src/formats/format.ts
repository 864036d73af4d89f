import type { EventField } from '../db/schema.js';
import { selectSql, type ColumnMap } from './column-map.js';

/** What a reader knows about the source it reads. */
export interface FormatContext {
  /** IANA zone for timestamps written without an offset. */
  readonly timezone: string | undefined;
  /** jsonl: event field -> JSON path. */
  readonly fields: Readonly<Partial<Record<EventField, string>>>;
  /** Bytes of the longest line to read, when known: a reader may leave out what only longer lines need. */
  readonly longestLine?: number;
}

/**
 * A log format as data: its name, how to recognise a line, and the column map that turns the
 * relation `lines(line_no, line)` into event rows (formatSql builds the SELECT from it: PARSED_COLUMNS,
 * `reject_reason` NULL for a parsed line and a sentence for a rejected one).
 */
export interface LogFormat {
  /** The name a case file's `format:` gives (FORMATS in registry.ts), or `nginx_format`/`apache_format` for a reader built from a definition. */
  readonly name: string;
  readonly title: string;
  readonly fills: readonly EventField[];
  /** Lines that must parse; checked by the test suite. */
  readonly samples: readonly string[];
  /** Lines that must be rejected, with the reason they must be rejected for. */
  readonly rejects: readonly { readonly line: string; readonly reason: RegExp }[];
  /**
   * True when one line looks like this format; used by `auto` on a sample of each file.
   * `comments` are the sample's lines starting with '#' (W3C headers describe the lines after them).
   */
  sniff(line: string, comments?: readonly string[]): boolean;
  read(ctx: FormatContext): ColumnMap;
  /** Optional faster reader for files whose every line has one shape (see FastPath). */
  readonly fast?: FastPath;
  /**
   * The reader `auto` uses when it picks this format, if another: set in the case file, an NCSA
   * format reads its own head shape only; picked by `auto`, the whole family is read.
   */
  readonly auto?: LogFormat;
}

/**
 * DuckDB's CSV reader splits a uniform NCSA log (space-delimited, `"`-quoted, `\`-escaped) about
 * ten times faster than string functions can. A file takes this path only when the reader accepts
 * every line and its rows line up one for one with the file's non-empty lines; otherwise ingest
 * falls back to `sql`, which reads any line. Both must give the same events (tested).
 */
export interface FastPath {
  /** read_csv column names, all VARCHAR; the first must start every line. */
  readonly columns: readonly string[];
  /**
   * A column map over `fast(line_no, <columns>)`; its SELECT returns `line_no` and PARSED_COLUMNS.
   * The raw line is read apart (ingest joins nothing: both reads carry the line number).
   */
  read(ctx: FormatContext): ColumnMap;
}

/** The SELECT a format reads `lines(line_no, line)` with. */
export function formatSql(format: LogFormat, ctx: FormatContext): string {
  return selectSql(format.read(ctx));
}

/** The SELECT of a fast path over `fast(line_no, <columns>)`: no raw line. */
export function fastSql(fast: FastPath, ctx: FormatContext): string {
  return selectSql(fast.read(ctx), false);
}

/** The columns a format's SQL returns, in order: from the event schema (src/db/schema.ts). */
export { PARSED_COLUMNS } from '../db/schema.js';

/**
 * Control bytes the ingest keeps out of every line DuckDB reads (the pre-pass copies and
 * sanitises a file that contains them): one splits nothing (the CSV delimiter), two stand in
 * for escaped backslashes and quotes while a reader looks for the structural quotes.
 */
export const DELIMITER_BYTE = 0x01;
export const ESCAPED_BACKSLASH_BYTE = 0x02;
export const ESCAPED_QUOTE_BYTE = 0x03;
export const RESERVED_BYTES = [0x00, DELIMITER_BYTE, ESCAPED_BACKSLASH_BYTE, ESCAPED_QUOTE_BYTE] as const;
