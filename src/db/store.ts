import { availableParallelism } from 'node:os';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { EXIT, UserError } from '../util/user-error.js';
import { eventsComments, eventsDdl } from './schema.js';
import { quoteString } from './sql.js';

// Required, not imported: an ES import of this CommonJS package makes Node scan its 120-odd files
// for export names first, about 0.3 s of every command's start (measured on 2 cores).
const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
const { DuckDBTimestampTZValue, JSDuckDBValueConverter, LIST, listValue, VARCHAR } = duckdb;

/** A row as the rest of the program sees it: no DuckDB value classes, BIGINT as number. */
export type Row = Record<string, JsValue>;
export type JsValue = string | number | boolean | Date | Uint8Array | null | JsValue[] | { [k: string]: JsValue };
/** One chunk of a streamed result: `columns[c][r]` is column c of row r. */
export interface ColumnChunk {
  readonly rows: number;
  readonly columns: readonly (readonly JsValue[])[];
}
export type Params = Record<string, string | number | boolean | null | Date | readonly string[]>;

/** Bound to keep the store within the foundation's 1 GiB bound with room for Node itself. */
const MEMORY_LIMIT = process.env.BREACHSCOPE_MEMORY_LIMIT ?? '450MB';

export const STORE_FILE = 'case.duckdb';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- A row per segment: lines first_line..physical_lines of one content, read from one file under one
-- source's settings. Contents that begin with another's (a log that grew, was rotated, renamed,
-- compressed or copied) continue that content's chain, so a line is stored, and counted, once.
CREATE TABLE IF NOT EXISTS files (
  file_id INTEGER PRIMARY KEY,
  chain_id INTEGER NOT NULL,      -- file_id of the chain's first segment: one content, grown over time
  settings VARCHAR NOT NULL,      -- hash of the source settings that parsed it (name, role, format, timezone, fields)
  source VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  path VARCHAR NOT NULL,          -- as shown to people: relative to the case file
  abs_path VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,        -- of the file's bytes as stored on disk (compressed if .gz)
  bytes BIGINT NOT NULL,
  content_sha256 VARCHAR NOT NULL, -- of the decompressed content from its first byte to this segment's end
  content_bytes BIGINT NOT NULL,
  ends_with_lf BOOLEAN NOT NULL,  -- whether the content read ended with a line end
  head_sha256 VARCHAR,            -- of the content's first non-blank line, to find earlier copies of it
  format VARCHAR NOT NULL,
  format_reason VARCHAR,
  first_line BIGINT NOT NULL,     -- 1, or the first appended line when a file grew
  physical_lines BIGINT NOT NULL, -- every line of the (decompressed) file, blank ones too
  lines BIGINT NOT NULL,          -- non-blank, non-comment lines read by this ingest (events + rejected)
  comment_lines BIGINT NOT NULL,  -- lines starting with '#': counted, not parsed
  events BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  first_time TIMESTAMPTZ,
  last_time TIMESTAMPTZ,
  warnings VARCHAR[] NOT NULL,
  ingested_at TIMESTAMPTZ NOT NULL
);
${eventsDdl()}-- Every line read (events and rejected lines), apart from the parsed columns: its hash and
-- length, and its text where the file's bytes are not the text (see ingest/quoted-lines.ts).
CREATE TABLE IF NOT EXISTS lines (
  file_id INTEGER NOT NULL,
  line BIGINT NOT NULL,
  raw VARCHAR,                    -- NULL: the line is the file's bytes, read again where it is quoted
  h UBIGINT NOT NULL,             -- hash(raw): finds content that overlaps another, checks a line read again
  len INTEGER NOT NULL            -- strlen(raw), in bytes
);
CREATE TABLE IF NOT EXISTS rejects (
  file_id INTEGER NOT NULL,
  line BIGINT NOT NULL,
  reason VARCHAR NOT NULL,
  raw VARCHAR NOT NULL
);
`;

const STORE_TABLES = ['meta', 'files', 'events', 'lines', 'rejects'];

export class Store implements Disposable {
  private constructor(
    readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Opened to read only, beside another process that reads it (a dashboard): nothing can be stored. */
    readonly readOnly = false,
  ) {}

  /** A throwaway in-memory database, for checks that need DuckDB's parser and no data. */
  static async memory(): Promise<Store> {
    // Held to the same memory bound as a store: tables past it spill to the temp_directory a caller sets.
    const instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', memory_limit: MEMORY_LIMIT });
    return new Store('', instance, await instance.connect());
  }

  /**
   * Opens the store to write. `shared`: when another process holds it only to read (a dashboard
   * without --follow), open it to read as well; a run that then needs to store a file says so.
   */
  static async open(dir: string, o: { shared?: boolean; readOnly?: boolean } = {}): Promise<Store> {
    mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    const file = path.join(dir, STORE_FILE);
    let instance: DuckDBInstance;
    const readOnly = o.readOnly === true;
    try {
      instance = await duckdb.DuckDBInstance.create(file, {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        memory_limit: MEMORY_LIMIT,
        temp_directory: path.join(dir, 'tmp'),
        threads: String(threadCount()),
        ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
      });
    } catch (e) {
      const message = (e as Error).message;
      const pid = /\(PID (\d+)\)/.exec(message)?.[1];
      if (/lock/i.test(message)) {
        if (o.shared && !readOnly) return Store.open(dir, { readOnly: true }).catch(() => Promise.reject(storeInUse(file, pid)));
        throw storeInUse(file, pid);
      }
      throw new UserError({ what: `cannot open the case store: ${message}`, where: file, help: 'check the directory is writable, or pass --db with another directory' }, EXIT.runtime);
    }
    const connection = await instance.connect();
    const store = new Store(dir, instance, connection, readOnly);
    // Nothing read back relies on the order rows were inserted in (queries say ORDER BY), except
    // the general reader's numbering of raw lines, which sets it for itself (readLines). Keeping it
    // would hold whole tables of findings in memory instead of letting DuckDB spill them.
    // FSST string compression costs about a third of ingest time for half the store size; a store
    // about as large as the logs it holds is the better trade under a 72-hour clock.
    await store.run("SET TimeZone = 'UTC'; SET preserve_insertion_order = false; SET disabled_compression_methods = 'fsst'");
    // Created once per store, each part in one transaction: twenty column comments committed one
    // by one cost ~80 ms, which every command paid when they ran on each open.
    const create = !readOnly && !(await store.hasTables());
    if (create) await store.run(`BEGIN TRANSACTION;\n${SCHEMA}COMMIT;`);
    await store.checkSchema(file);
    if (create) await store.run(`BEGIN TRANSACTION;\n${eventsComments()}\nCOMMIT;`);
    return store;
  }

  /** Whether every table of SCHEMA is there already (a store opened before). */
  private async hasTables(): Promise<boolean> {
    const { n } = await this.one<{ n: number }>(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name IN (${STORE_TABLES.map(quoteString).join(', ')})`,
    );
    return n === STORE_TABLES.length;
  }

  /**
   * A store written by an earlier version (raw lines in events; files without content chains;
   * lines without their length) cannot be read or added to: its rows do not say what this
   * version relies on (which content a line belongs to, how to check a line read again).
   */
  private async checkSchema(file: string): Promise<void> {
    const old = await this.all(
      `SELECT 1 FROM duckdb_columns() WHERE database_name = current_database()
         AND ((table_name = 'events' AND column_name = 'raw')
           OR (table_name = 'lines' AND NOT EXISTS (SELECT 1 FROM duckdb_columns() c WHERE c.database_name = current_database() AND c.table_name = 'lines' AND c.column_name = 'len'))
           OR (table_name = 'files' AND NOT EXISTS (SELECT 1 FROM duckdb_columns() c WHERE c.database_name = current_database() AND c.table_name = 'files' AND c.column_name = 'chain_id')))
       LIMIT 1`,
    );
    if (old.length === 0) return;
    this.close();
    throw new UserError(
      {
        what: 'the case store was written by an earlier version of breachscope, in a layout this version does not read',
        where: file,
        help: 'ingest into a new store (delete the .breachscope folder, or pass --db with another directory); the log files are read again and give the same events',
      },
      EXIT.runtime,
    );
  }

  /** A scratch file's path in the store's temp folder (where DuckDB also spills); the caller removes it. */
  tempFile(name: string): string {
    return path.join(this.dir, 'tmp', name);
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.connection.run(sql, toDuckDb(params), typesOf(params));
  }

  async all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, toDuckDb(params), typesOf(params));
    return reader.getRowObjectsJS().map((r) => toJs(r) as T);
  }

  async one<T extends Row = Row>(sql: string, params?: Params): Promise<T> {
    const rows = await this.all<T>(sql, params);
    if (rows.length === 0) throw new Error(`query returned no row: ${sql.slice(0, 80)}`);
    return rows[0]!;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await work();
      await this.run('COMMIT');
      return result;
    } catch (e) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /**
   * Streams a result a DuckDB chunk (up to 2,048 rows) at a time, column by column, through the
   * same mapping as `all`: the caller holds one chunk, never the result.
   */
  async *columnChunks(sql: string, params?: Params): AsyncGenerator<ColumnChunk> {
    const result = await this.connection.stream(sql, toDuckDb(params), typesOf(params));
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const columns: JsValue[][] = [];
      for (let c = 0; c < chunk.columnCount; c++) columns.push(chunk.convertColumnValues(c, JSDuckDBValueConverter).map(toJs));
      yield { rows: chunk.rowCount, columns };
    }
  }

  /** Streams a result as row objects (mapped as `all` maps them), one DuckDB chunk at a time. */
  async *rowChunks<T extends Row = Row>(sql: string, params?: Params): AsyncGenerator<T[]> {
    const result = await this.connection.stream(sql, toDuckDb(params), typesOf(params));
    const names = result.columnNames();
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const columns = names.map((_, c) => chunk!.convertColumnValues(c, JSDuckDBValueConverter).map(toJs));
      yield Array.from({ length: chunk.rowCount }, (_, r) => Object.fromEntries(names.map((n, c) => [n, columns[c]![r]])) as T);
    }
  }

  /**
   * Writes a query's rows to a file with DuckDB's COPY (csv, parquet...: `options` is the COPY
   * option list, written by this program, never by a user). The path is quoted here, the one
   * place a file name enters SQL text. Returns the number of rows written.
   */
  async copyTo(select: string, file: string, options: string, params?: Params): Promise<number> {
    // COPY answers with one row: the number of rows it wrote.
    const [row] = await this.all(`COPY (${select}) TO ${quoteString(file)} (${options})`, params);
    return Number(Object.values(row ?? {})[0] ?? 0);
  }

  /** How many statements DuckDB's parser finds in `sql`; throws the parse error, with its LINE. */
  async statementCount(sql: string): Promise<number> {
    return (await this.connection.extractStatements(sql)).count;
  }

  /** The `$name` parameters of one statement, in order: prepared, read and released at once. Throws DuckDB's error. */
  async parameterNames(sql: string): Promise<string[]> {
    const prepared = await this.connection.prepare(sql);
    try {
      const names: string[] = [];
      for (let i = 1; i <= prepared.parameterCount; i++) names.push(prepared.parameterName(i));
      return names;
    } finally {
      prepared.destroySync();
    }
  }

  /** Stops the statement running now (it fails with DuckDB's interrupt error); the store stays usable. */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** Appends rows of text (null for NULL) to a table through DuckDB's appender. */
  async appendText(table: string, rows: Iterable<readonly (string | null)[]>): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function storeInUse(file: string, pid: string | undefined): UserError {
  return new UserError(
    {
      what: `the case store is in use by another breachscope process${pid ? ` (PID ${pid})` : ''}`,
      where: file,
      why: 'one process at a time may write a case store, so that no event is lost or counted twice (an ingest, or a dashboard --follow, holds it while it runs)',
      help: 'wait for the other run to finish or quit that dashboard, or pass --db with another store directory (the logs are read again there)',
    },
    EXIT.runtime,
  );
}

/** BREACHSCOPE_THREADS when it is a positive whole number, else one per core up to 8. */
export function threadCount(): number {
  const asked = Number(process.env.BREACHSCOPE_THREADS);
  if (Number.isInteger(asked) && asked > 0) return asked;
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Lists need their item type spelled out; every list this program binds holds text. */
function typesOf(params: Params | undefined): Record<string, DuckDBType | undefined> | undefined {
  if (!params) return undefined;
  const out: Record<string, DuckDBType | undefined> = {};
  for (const [k, v] of Object.entries(params)) if (Array.isArray(v)) out[k] = LIST(VARCHAR);
  return out;
}

function toDuckDb(params: Params | undefined): Record<string, DuckDBValue> | undefined {
  if (!params) return undefined;
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof Date) out[k] = new DuckDBTimestampTZValue(BigInt(v.getTime()) * 1000n);
    else if (Array.isArray(v)) out[k] = listValue([...v]);
    else out[k] = v as DuckDBValue;
  }
  return out;
}

/** The one mapping layer from DuckDB JS values: BIGINT becomes number (exact below 2^53). */
function toJs(v: unknown): JsValue {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`integer out of range: ${v}`);
    return Number(v);
  }
  if (v === null || v === undefined) return null;
  if (v instanceof Date || v instanceof Uint8Array || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toJs);
  if (typeof v === 'object') {
    const out: Record<string, JsValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJs(x);
    return out;
  }
  return String(v);
}
