import { quoteString } from '../db/sql.js';
import { aliasesOf, aliasKeys, type AliasKey } from './aliases.js';
import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';
import { bytesOf } from './sql-pieces.js';

/** Why a dotted key cannot be a DuckDB JSON path, or undefined when it can. */
export function jsonPathProblem(dotted: string): string | undefined {
  const parts = dotted.split('.');
  if (parts.some((p) => p === '')) return 'an empty key (two dots, or a dot at an end)';
  // DuckDB's JSON path has no escape for these inside a quoted key.
  if (parts.some((p) => p.includes('"') || p.includes('\\'))) return 'a key with a double quote or a backslash, which a JSON path cannot name';
  return undefined;
}

/** `user.id` -> `$."user"."id"`. The case file has checked the key (jsonPathProblem). */
export function jsonPath(dotted: string): string {
  const problem = jsonPathProblem(dotted);
  if (problem) throw new Error(`'${dotted}' is not a usable JSON path: ${problem}`);
  return `$${dotted.split('.').map((p) => `."${p}"`).join('')}`;
}

/** The keys tried for a value: the case file's `fields:` entry, else the jsonl aliases. */
function keysFor(field: AliasKey, ctx: FormatContext): readonly string[] {
  const mapped = (ctx.fields as Record<string, string | undefined>)[field];
  return mapped ? [mapped] : aliasesOf(field, 'jsonl');
}

/** The line as a JSON object, or undefined when it is not one (for sniffing). */
export function jsonObject(line: string): Readonly<Record<string, unknown>> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const OFFSET_RE = `(Z|z|[+-][0-9]{2}:?[0-9]{2})$`;

/*
 * Each JSON function parses the whole line, and DuckDB's parser takes about four times the line's
 * size: a 30 MB line read by the four calls below ran DuckDB out of memory. A line over BIG_LINE
 * bytes is first made small: every string value is cut to its first STRING_KEEP characters, by one
 * regex pass that steps from string to string (each match is a whole string, so the next `"` is
 * always one that opens a string; a `\uXXXX` escape, or a surrogate pair of them, is one
 * character). The raw line is kept whole. A line still over HUGE_DOC after that (megabytes of
 * numbers or keys) is rejected, not parsed.
 */
const BIG_LINE = 1024 * 1024;
const HUGE_DOC = 8 * 1024 * 1024;
const STRING_KEEP = 8000;
const HEX = '[0-9a-fA-F]';
/** One character of a JSON string. RE2 caps nested repeats at 1000 in all, so the hex digits are written out. */
const JSON_CHAR = String.raw`(?:[^"\\]|\\u[dD][89abAB]${HEX}${HEX}\\u${HEX.repeat(4)}|\\u${HEX.repeat(4)}|\\[^u])`;
const CUT_STRINGS = String.raw`"((?:${JSON_CHAR.repeat(8)}){0,${STRING_KEEP / 8 - 1}}${`${JSON_CHAR}?`.repeat(8)})${JSON_CHAR}*"`;

/** The reject for a line too large to parse even with its strings cut (first in a JSON reader's rejectWhen). */
export const TOO_BIG: readonly [string, string] = [
  'too_big',
  `'a JSON line of ' || round(strlen(line) / 1048576, 1) || ' MB that is still ' || round(strlen(doc) / 1048576, 1) || ' MB with every string value cut to ${STRING_KEEP} characters: too large to read field by field'`,
];

/**
 * Reads JSON-object lines in one pass: CTEs over `lines` ending in
 * `json_time(line_no, line, doc, too_big, ok, v, tj, t_type, t_text, time)`, where `doc` is the
 * line to parse (a huge line with its strings cut), `too_big` says it is not parsed, `ok` says the line is a JSON
 * object, `v` holds json_extract_string of `paths` in order (NULL where absent), `tj` is the first
 * non-null value of `timePaths` and `time` its instant: epoch seconds, milliseconds, microseconds or
 * nanoseconds by magnitude, ISO 8601 (the source's zone when it has no offset), or NCSA.
 */
export function jsonTimeCtes(paths: readonly string[], timePaths: readonly string[], ctx: FormatContext): string {
  const timezone = ctx.timezone;
  // RE2 compiles CUT_STRINGS in about half a second, whether a line needs it or not: a file whose
  // longest line is known to be short is read without it (x3: a sanitised copy writes U+FFFD, three
  // bytes, for one).
  const doc = ctx.longestLine !== undefined && 3 * ctx.longestLine <= BIG_LINE ? 'line' : `CASE WHEN strlen(line) > ${BIG_LINE} THEN regexp_replace(line, ${quoteString(CUT_STRINGS)}, '"\\1"', 'g') ELSE line END`;
  const pathList = `[${paths.map(quoteString).join(', ')}]`;
  const timeList = `[${timePaths.map(quoteString).join(', ')}]`;
  const tz = timezone ? quoteString(timezone) : undefined;
  // The first time path whose value is there and not JSON null.
  const firstTime = `coalesce(${timePaths.map((_, i) => `CASE WHEN tl[${i + 1}] <> 'null' THEN tl[${i + 1}] END`).join(', ')})`;
  return `j0 AS (
  SELECT line_no, line, ${doc} AS doc FROM lines
), j1 AS (
  SELECT *, strlen(doc) > ${HUGE_DOC} AS too_big FROM j0
), j AS (
  -- DuckDB may evaluate both arms of a CASE: a huge line is swapped for '{}' before any extraction.
  SELECT line_no, line, doc, too_big, CASE WHEN too_big THEN '{}' ELSE doc END AS d FROM j1
), e AS (
  -- Two parses a line, the values and the times (JSON, for their type); a line that is not JSON reads as NULL.
  SELECT line_no, line, doc, too_big, try(json_extract_string(d, ${pathList})) AS v0, try(json_extract(d, ${timeList})) AS tl, d FROM j
), v AS (
  -- A JSON text that parsed is an object when it opens with '{'.
  SELECT line_no, line, doc, too_big,
    NOT too_big AND v0 IS NOT NULL AND starts_with(ltrim(d, ' ' || chr(9) || chr(10) || chr(13)), '{') AS ok,
    v0 AS v,
    ${firstTime} AS tj
  FROM e
), t0 AS (
  SELECT *, json_type(tj) AS t_type FROM v
), t AS (
  SELECT *, CASE WHEN t_type = 'VARCHAR' THEN trim(tj ->> '$') ELSE tj::VARCHAR END AS t_text FROM t0
), json_time AS (
  SELECT *,
    CASE
      WHEN t_type IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN
        CASE
          WHEN abs(t_text::DOUBLE) >= 1e17 THEN make_timestamp((t_text::HUGEINT // 1000)::BIGINT)::TIMESTAMPTZ
          WHEN abs(t_text::DOUBLE) >= 1e14 THEN make_timestamp(t_text::DOUBLE::BIGINT)::TIMESTAMPTZ
          WHEN abs(t_text::DOUBLE) >= 1e11 THEN make_timestamp((t_text::DOUBLE * 1000)::BIGINT)::TIMESTAMPTZ
          ELSE make_timestamp((t_text::DOUBLE * 1000000)::BIGINT)::TIMESTAMPTZ
        END
      WHEN regexp_full_match(t_text, '[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}') THEN try_strptime(t_text, '%d/%b/%Y:%H:%M:%S %z')
      WHEN regexp_matches(t_text, '${OFFSET_RE}') THEN try_cast(t_text AS TIMESTAMPTZ)
      ${tz ? `ELSE timezone(${tz}, try_cast(t_text AS TIMESTAMP))` : ''}
    END AS time
  FROM t
)`;
}

/** SQL condition on json_time: the time is text without an offset and no zone was given to read it in. */
export function missingZoneSql(timezone: string | undefined): string {
  return timezone
    ? 'false'
    : `(time IS NULL AND t_type = 'VARCHAR' AND NOT regexp_matches(t_text, '${OFFSET_RE}') AND try_cast(t_text AS TIMESTAMP) IS NOT NULL)`;
}

function jsonlRead(ctx: FormatContext): ColumnMap {
  const paths: string[] = [];
  const slots = new Map<AliasKey, number[]>();
  for (const f of aliasKeys('jsonl')) {
    slots.set(
      f,
      keysFor(f, ctx).map((k) => {
        paths.push(jsonPath(k));
        return paths.length;
      }),
    );
  }
  const pick = (f: AliasKey) => {
    const idx = slots.get(f)!;
    return idx.length === 1 ? `v[${idx[0]}]` : `coalesce(${idx.map((i) => `v[${i}]`).join(', ')})`;
  };
  const timePaths = slots.get('time')!.map((i) => paths[i - 1]!);
  const timeKeys = keysFor('time', ctx).join(', ');
  return {
    ctes: `${jsonTimeCtes(paths, timePaths, ctx)}, t2 AS (\n  SELECT *, ${pick('request')} AS request FROM json_time\n)`,
    from: 't2',
    columns: {
      time: 'time',
      client_ip: pick('client_ip'),
      forwarded_for: pick('forwarded_for'),
      vhost: pick('vhost'),
      method: `coalesce(${pick('method')}, nullif(split_part(request, ' ', 1), ''))`,
      path: `coalesce(${pick('path')}, nullif(split_part(request, ' ', 2), ''))`,
      protocol: `nullif(split_part(request, ' ', 3), '')`,
      status: `try_cast(${pick('status')} AS INTEGER)`,
      bytes: bytesOf(pick('bytes')),
      user_agent: `nullif(${pick('user_agent')}, '-')`,
      referer: `nullif(${pick('referer')}, '-')`,
      account: `nullif(nullif(${pick('account')}, '-'), '')`,
      session: `nullif(${pick('session')}, '')`,
      request_id: `nullif(${pick('request_id')}, '')`,
      document: `nullif(${pick('document')}, '')`,
    },
    rejectWhen: [
      TOO_BIG,
      ['NOT ok', `'not a JSON object'`],
      ['tj IS NULL', `'no time field (looked for: ${timeKeys.replaceAll("'", "''")})'`],
      [missingZoneSql(ctx.timezone), `'time ''' || t_text || ''' has no UTC offset and the source has no timezone'`],
      ['time IS NULL', `'time ' || t_text || ' is not ISO 8601, dd/Mon/yyyy:HH:MM:SS +hhmm or epoch'`],
    ],
  };
}

export const jsonl: LogFormat = {
  name: 'jsonl',
  title: 'JSON lines (nginx escape=json, application logs) with a field map',
  fills: ['time', 'client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'session', 'request_id', 'document'],
  samples: [
    '{"time":"2022-06-13T09:15:02+01:00","remote_addr":"10.0.0.12","http_x_forwarded_for":"198.51.100.23","request":"GET /cases/7781 HTTP/1.1","status":"200","body_bytes_sent":"48211","request_id":"a1b2"}',
    '{"ts":1655108102.5,"user":"R0042","request_id":"a1b2","event":"document.view","document":"401640"}',
  ],
  rejects: [
    { line: '{"time":"yesterday"}', reason: /is not ISO 8601/ },
    { line: '{"status":200}', reason: /no time field/ },
    { line: 'GET / HTTP/1.1', reason: /not a JSON object/ },
  ],
  sniff: (line) => jsonObject(line) !== undefined,
  read: jsonlRead,
};
