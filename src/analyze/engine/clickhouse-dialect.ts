/*
 * The one layer between DuckDB SQL and ClickHouse SQL. A detector stays one file in queries/,
 * written for DuckDB; on ClickHouse it runs through:
 * - MACROS: ClickHouse SQL functions (CREATE FUNCTION), one for each DuckDB function the
 *   detectors and the route SQL (case/routes.ts) use, each a one-line mapping. They are created
 *   as `breachscope_<DuckDB name>` and calls are renamed: SQL functions are global on a server,
 *   and the prefix keeps them from meeting a user's own `contains` or `try`;
 * - rewriteForClickHouse: the few spellings a function cannot cover (a parameter, try_cast, a
 *   type name, a RANGE frame over a timestamp).
 * - clickhouseGaps: DuckDB constructs with no mapping here; a detector that uses one is reported
 *   as not runnable on ClickHouse (`breachscope detectors`, and an error row when analysed).
 * test/analyze/clickhouse-dialect.test.ts checks each rewrite; the equality tests check the whole.
 */

/** RANGE frames over `time` are ordered by its microseconds (ClickHouse has no RANGE offset for DateTime64). */
const MICROS_PER = { seconds: 1_000_000, minutes: 60_000_000, hours: 3_600_000_000, days: 86_400_000_000 } as const;

export const MACROS: Readonly<Record<string, string>> = {
  list_contains: '(list, x) -> has(list, x)',
  strftime: '(t, f) -> formatDateTime(t, f)',
  // regexp_extract and regexp_matches are ClickHouse's own names for the same functions.
  regexp_full_match: "(s, re) -> match(s, concat('^(?:', re, ')$'))",
  contains: '(s, x) -> position(s, x) > 0',
  strpos: '(s, x) -> position(s, x)',
  starts_with: '(s, x) -> startsWith(s, x)',
  split_part: '(s, sep, i) -> if(s IS NULL, NULL, splitByString(sep, ifNull(s, \'\'))[i])',
  // DuckDB's url_decode fails on text that does not decode to UTF-8, and try() makes that NULL.
  url_decode: '(s) -> if(isValidUTF8(decodeURLComponent(s)), decodeURLComponent(s), NULL)',
  try: '(x) -> x',
  // make_timestamp(microseconds): how document-requests-sql.ts writes the case's window.
  make_timestamp: "(us) -> fromUnixTimestamp64Micro(toInt64(us), 'UTC')",
  // ClickHouse's own to_days is a date's day number: these are DuckDB's intervals, in microseconds.
  ...Object.fromEntries(Object.entries(MICROS_PER).map(([unit, n]) => [`to_${unit}`, `(x) -> x * ${n}`])),
};

/** The name a macro is created under (and its calls renamed to). */
export const macroName = (duckdbName: string): string => `breachscope_${duckdbName}`;

/**
 * DuckDB functions whose names ClickHouse uses for something else: renamed where called.
 * (ClickHouse's regexp_replace replaces every match, DuckDB's the first; its to_days is a date's day number.)
 */
const RENAMES: Readonly<Record<string, string>> = {
  regexp_replace: 'replaceRegexpOne',
  // Both skip rows whose value or argument is NULL.
  arg_min: 'argMin',
  arg_max: 'argMax',
  ...Object.fromEntries(Object.keys(MACROS).map((name) => [name, macroName(name)])),
};

/** Session settings the macros and the DuckDB semantics need. */
export const SETTINGS: Readonly<Record<string, string | number>> = {
  // An outer join's missing side is NULL, as in DuckDB (ClickHouse's default is the type's default).
  join_use_nulls: 1,
  // `x::VARCHAR` of a NULL stays NULL.
  cast_keep_nullable: 1,
  // strftime's %M is the minute, as in DuckDB.
  formatdatetime_parsedatetime_m_is_month_name: 0,
  session_timezone: 'UTC',
  // A Parquet set's partition folders are not columns: source is a column of each file.
  use_hive_partitioning: 0,
  output_format_json_quote_64bit_integers: 0,
  output_format_json_quote_64bit_floats: 0,
};

const TYPES: Readonly<Record<string, string>> = { HUGEINT: 'Int128', BIGINT: 'Int64', INTEGER: 'Int32', VARCHAR: 'String', DOUBLE: 'Float64' };

/** A string literal in ClickHouse SQL, where backslash is an escape character. */
export function chQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL character cannot be used in SQL text');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A bound value written into ClickHouse SQL: numbers as numbers, the rest as quoted text. */
function literal(v: number | string): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : chQuote(String(v));
}

/** The index of the parenthesis that closes the one opened at `open`, skipping string literals. */
function closing(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") {
      i = sql.indexOf("'", i + 1);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** `try_cast(expr AS TYPE)` -> `accurateCastOrNull(expr, 'Type')`. */
function rewriteTryCast(sql: string): string {
  let out = sql;
  for (let at = out.search(/\btry_cast\s*\(/i); at >= 0; at = out.search(/\btry_cast\s*\(/i)) {
    const open = out.indexOf('(', at);
    const close = closing(out, open);
    if (close < 0) return out;
    const inner = out.slice(open + 1, close);
    const m = /^([\s\S]*)\s+AS\s+([A-Za-z]+)\s*$/i.exec(inner);
    if (!m) return out;
    const type = TYPES[m[2]!.toUpperCase()] ?? m[2]!;
    out = `${out.slice(0, at)}accurateCastOrNull(${m[1]}, '${type}')${out.slice(close + 1)}`;
  }
  return out;
}

/**
 * `sql` with `edit` applied to its code only: a call written inside a DuckDB string literal or a
 * `--` comment stays as written (and an apostrophe in a comment does not open a literal).
 */
function outsideLiterals(sql: string, edit: (code: string) => string): string {
  return sql.split(/('(?:[^']|'')*'|--[^\n]*)/).map((part, i) => (i % 2 === 1 ? part : edit(part))).join('');
}

/**
 * DuckDB SQL (a detector, or SQL generated for routes) as ClickHouse SQL. `params` are the
 * detector's declared parameters: ClickHouse binds `{name:Type}`, not `$name`, so the checked
 * values are written in as literals.
 */
export function rewriteForClickHouse(sql: string, params: Readonly<Record<string, number | string>> = {}): string {
  let out = outsideLiterals(sql.replace(/;\s*$/, ''), (code) =>
    code.replace(/\b([A-Za-z_]+)\s*\(/g, (whole, name: string) => (RENAMES[name.toLowerCase()] ? `${RENAMES[name.toLowerCase()]}(` : whole)),
  );
  out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => (name in params ? literal(params[name]!) : whole));
  out = rewriteTryCast(out);
  out = out.replace(/::\s*([A-Za-z]+)\b/g, (whole, t: string) => (TYPES[t.toUpperCase()] ? `::${TYPES[t.toUpperCase()]}` : whole));
  out = out.replace(/\bAS\s+(HUGEINT|BIGINT|INTEGER|VARCHAR|DOUBLE)\s*\)/gi, (_w, t: string) => `AS ${TYPES[t.toUpperCase()]})`);
  out = out.replace(/\bORDER\s+BY\s+([A-Za-z_][A-Za-z0-9_.]*)\s+RANGE\s+BETWEEN\b/gi, 'ORDER BY toUnixTimestamp64Micro($1) RANGE BETWEEN');
  return out;
}

/** DuckDB constructs this layer does not map (the pattern, and what to say). */
const GAPS: readonly (readonly [RegExp, string])[] = [
  [/\bQUALIFY\b/i, 'QUALIFY'],
  [/\bASOF\b/i, 'ASOF joins'],
  [/\bFILTER\s*\(\s*WHERE\b/i, 'aggregate FILTER clauses'],
  [/\blist_(filter|transform|aggregate|sort)\s*\(/i, 'list lambdas'],
  [/\blambda\b|->/i, 'lambdas'],
  [/\bunnest\s*\(/i, 'unnest'],
  [/\b(list|string_agg|any_value)\s*\(/i, 'DuckDB-only aggregates'],
  [/\bEXCLUDE\s*\(|\bREPLACE\s*\(/i, 'SELECT * EXCLUDE/REPLACE'],
  [/\bGROUP\s+BY\s+ALL\b/i, 'GROUP BY ALL'],
  [/\$[A-Za-z_]/, 'an undeclared parameter'],
];

/** What keeps `sql` (after rewriteForClickHouse) from running on ClickHouse, or [] when nothing does. */
export function clickhouseGaps(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
  return GAPS.flatMap(([re, what]) => (re.test(code) ? [what] : []));
}
