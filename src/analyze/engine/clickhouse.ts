/** A row of a ClickHouse result, as JSONEachRow gives it. */
export type ChRow = Record<string, unknown>;

/** Formats a local file crosses the boundary in: both ends read and write them the same way. */
export type TransferFormat = 'CSV' | 'Parquet';

/**
 * A ClickHouse to run SQL on: chdb in-process (clickhouse-session.ts) or a server over HTTP(S)
 * (clickhouse-server.ts). The engine never hands ClickHouse a path of this machine: a local file
 * goes in through `upload` and a result comes out through `download`, both streamed, so the same
 * code runs whether ClickHouse shares this machine's disk or not.
 */
export interface ClickHouse {
  run(sql: string): Promise<void>;
  all<T extends ChRow = ChRow>(sql: string): Promise<T[]>;
  one<T extends ChRow = ChRow>(sql: string): Promise<T>;
  /** Appends the rows of the local `file` (in `format`) to the existing `table`. */
  upload(table: string, file: string, format: TransferFormat): Promise<void>;
  /** Writes the rows of `select` to the local `file` in `format`. */
  download(select: string, file: string, format: TransferFormat): Promise<void>;
  /** A file in this run's local temporary folder (gone when the ClickHouse closes). */
  tempPath(name: string): string;
  /** Drops what the run created and frees the connection; safe to call twice. */
  close(): Promise<void>;
}

/** The one row `rows` must hold. */
export function onlyRow<T>(rows: readonly T[]): T {
  if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0]!;
}
