import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT, UserError } from '../../util/user-error.js';
import { chQuote, MACROS, macroName, SETTINGS } from './clickhouse-dialect.js';
import { onlyRow, type ChRow, type ClickHouse, type TransferFormat } from './clickhouse.js';

/** The part of chdb's Node API used here (chdb is an optional install: no compile-time types). */
interface ChdbSession {
  query(sql: string, format?: string): string;
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ text(): string }>;
  close(): void;
}
interface ChdbModule {
  Session: new (dir?: string) => ChdbSession;
}

/** The pinned version `npm run setup:clickhouse` installs. */
export const CHDB_SETUP = 'npm run setup:clickhouse';

/**
 * An in-process ClickHouse (chdb) with its own temporary data folder, the macros and settings of
 * clickhouse-dialect.ts in place. Tables it creates are MergeTree on disk: they spill, whatever
 * the size of the case.
 */
export class ClickHouseSession implements ClickHouse {
  private constructor(private readonly session: ChdbSession, readonly dir: string) {}

  static async open(): Promise<ClickHouseSession> {
    let chdb: ChdbModule;
    try {
      const name = 'chdb';
      chdb = (await import(name)) as ChdbModule;
    } catch (e) {
      throw new UserError(
        {
          what: '--engine clickhouse needs the chdb package, which is not installed',
          why: `chdb is an optional install of about 400 MB (the ClickHouse engine in-process): ${(e as Error).message.split('\n')[0]}`,
          help: `run \`${CHDB_SETUP}\` in the breachscope folder, or leave out --engine (DuckDB)`,
        },
        EXIT.usage,
      );
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'breachscope-chdb-'));
    const ch = new ClickHouseSession(new chdb.Session(path.join(dir, 'data')), dir);
    for (const [name, value] of Object.entries(SETTINGS)) await ch.run(`SET ${name} = ${typeof value === 'number' ? value : `'${value}'`}`);
    for (const [name, body] of Object.entries(MACROS)) await ch.run(`CREATE FUNCTION IF NOT EXISTS ${macroName(name)} AS ${body}`);
    return ch;
  }

  async run(sql: string): Promise<void> {
    await this.session.queryAsync(sql, { format: 'TSV' });
  }

  async all<T extends ChRow = ChRow>(sql: string): Promise<T[]> {
    const text = (await this.session.queryAsync(sql, { format: 'JSONEachRow' })).text();
    return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);
  }

  async one<T extends ChRow = ChRow>(sql: string): Promise<T> {
    return onlyRow(await this.all<T>(sql));
  }

  async upload(table: string, file: string, format: TransferFormat): Promise<void> {
    await this.run(`INSERT INTO ${table} SELECT * FROM file(${chQuote(file)}, ${format})`);
  }

  async download(select: string, file: string, format: TransferFormat): Promise<void> {
    await this.run(`INSERT INTO FUNCTION file(${chQuote(file)}, ${format}) ${select}`);
  }

  /** A file under the session's temporary folder (gone when it closes). */
  tempPath(name: string): string {
    return path.join(this.dir, name);
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
