// @ts-check
// The floor the bench divides by: DuckDB, out of the box, reads the combined log with read_csv into
// a table of a new database file, every field parsed: the request split into method, target and
// protocol, the time parsed with strptime into TIMESTAMPTZ, status and size as numbers, `-` as NULL.
// That is the least any DuckDB-based tool must do to hold the log's fields on disk; breachscope does
// it and more (provenance, raw lines, checks, then the analysis).
// Usage: node test/bench/floor-duckdb.mjs <log> <new .duckdb file>. Prints {"rows":…}.
import { DuckDBInstance } from '@duckdb/node-api';

const [logPath, dbPath] = process.argv.slice(2);
if (logPath === undefined || dbPath === undefined) {
  process.stderr.write('usage: node floor-duckdb.mjs <log> <new .duckdb file>\n');
  process.exit(2);
}

// The reader options are those of breachscope's fast path: Apache's `\"` inside a quoted field
// is an escaped quote, and nothing is guessed.
const COLUMNS = ['host', 'ident', 'usr', 'ts', 'tz', 'request', 'status', 'bytes', 'referer', 'user_agent'];
const SQL = `
CREATE TABLE access_log AS
SELECT
  host AS client_ip,
  nullif(ident, '-') AS ident,
  nullif(usr, '-') AS account,
  strptime(ts || ' ' || tz, '[%d/%b/%Y:%H:%M:%S %z]') AS time,
  split_part(request, ' ', 1) AS method,
  split_part(request, ' ', 2) AS target,
  split_part(request, ' ', 3) AS protocol,
  CAST(status AS SMALLINT) AS status,
  CAST(nullif(bytes, '-') AS BIGINT) AS bytes,
  nullif(referer, '-') AS referer,
  nullif(user_agent, '-') AS user_agent
FROM read_csv($log, columns = {${COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(', ')}},
  delim = ' ', quote = '"', escape = '\\', header = false, auto_detect = false, new_line = '\\n',
  strict_mode = true, allow_quoted_nulls = false)`;

const instance = await DuckDBInstance.create(dbPath, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const connection = await instance.connect();
try {
  await connection.run(SQL, { log: logPath });
  const reader = await connection.runAndReadAll('SELECT count(*)::INTEGER AS n, count(time)::INTEGER AS timed FROM access_log');
  const [n, timed] = reader.getRows()[0] ?? [];
  await connection.run('CHECKPOINT');
  process.stdout.write(`${JSON.stringify({ rows: n, rows_with_time: timed })}\n`);
} finally {
  connection.closeSync();
  instance.closeSync();
}
