import { quoteString } from '../db/sql.js';
import { aliasesOf, type AliasKey } from './aliases.js';
import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';

/*
 * W3C Extended Log File Format (IIS, HTTP.sys, NetScaler, Incapsula, Oracle Web Cache, SHOUTcast).
 * The file describes itself: a `#Fields:` directive names the columns of the lines after it, and a
 * file may hold several header blocks with different field lists (IIS writes a new block when the
 * configuration changes or the service restarts). Each line is read with the latest `#Fields:`
 * before it (an ASOF join on line numbers over the `directives` relation ingest provides).
 *
 * Values are separated by one or more spaces; a value with spaces is double-quoted, with `""` for a
 * quote inside it (IIS Advanced Logging, Incapsula). IIS writes spaces inside values as `+`; they
 * are kept as written.
 *
 * Times: the W3C draft and IIS write `date`/`time` in UTC, so no timezone is needed; a
 * `#GMT-Offset:` directive (Oracle Web Cache) shifts them; `date-local`/`time-local` (IIS Advanced
 * Logging) are local times read in the source's `timezone:`, which is then required. A row without a
 * date column takes the date of the latest `#Date:` directive.
 *
 * Lines without a usable header (IIS configured to log without one, or a header that does not match
 * the data: both occur in real files) are read with the IIS field list of the same length, when there
 * is exactly one (below); otherwise they are rejected with both counts.
 */

const IIS_DEFAULT = ['date', 'time', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip', 'cs(user-agent)'];
const IIS_STATUS = ['sc-status', 'sc-substatus', 'sc-win32-status'];
const IIS_FULL = ['date', 'time', 's-sitename', 's-computername', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip', 'cs-version', 'cs(user-agent)', 'cs(cookie)', 'cs(referer)', 'cs-host', ...IIS_STATUS, 'sc-bytes', 'cs-bytes', 'time-taken'];

/** IIS field lists by length, for lines without a matching `#Fields:` header. */
export const IIS_LAYOUTS: Readonly<Record<number, readonly string[]>> = {
  14: [...IIS_DEFAULT, ...IIS_STATUS, 'time-taken'], // IIS 7 default without referer
  15: [...IIS_DEFAULT, 'cs(referer)', ...IIS_STATUS, 'time-taken'], // IIS 7.5+ default
  16: [...IIS_DEFAULT, 'cs(referer)', ...IIS_STATUS, 'time-taken', 'x-forwarded-for'], // default + custom XFF field
  17: [...IIS_DEFAULT, 'cs(referer)', ...IIS_STATUS, 'sc-bytes', 'cs-bytes', 'time-taken'], // default + bytes
  22: IIS_FULL, // every W3C field IIS offers
  23: [...IIS_FULL, 'x-forwarded-for'],
};

/** A value by the first of its W3C field names the line's field list has; `-` and empty are none. */
const pick = (key: AliasKey) => {
  const found = aliasesOf(key, 'w3c').map((n) => `tok[list_position(fields, ${quoteString(n)})]`);
  return `nullif(nullif(${found.length === 1 ? found[0] : `coalesce(${found.join(', ')})`}, '-'), '')`;
};

const layoutCase = Object.entries(IIS_LAYOUTS)
  .map(([n, names]) => `WHEN ${n} THEN [${names.map(quoteString).join(', ')}]`)
  .join(' ');

/** The directives (`#Fields:`, `#Date:`, `#GMT-Offset:`) and each line's tokens with the ones before it. */
const HEADER_CTES = `hdr AS (
  SELECT line_no AS h_line, list_transform(string_split_regex(trim(substr(line, 9)), '[ \t]+'), lambda n: lower(n)) AS declared
  FROM directives WHERE lower(left(line, 8)) = '#fields:'
), dates AS (
  SELECT line_no AS d_line, regexp_extract(line, ':[ \t]*([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[A-Za-z]{3}/[0-9]{4})', 1) AS header_date
  FROM directives WHERE regexp_matches(lower(line), '^#(start-)?date:')
), offsets AS (
  SELECT line_no AS o_line, regexp_extract(line, ':[ \t]*([+-])([0-9]{2}):?([0-9]{2})', ['sign', 'hh', 'mm']) AS o
  FROM directives WHERE regexp_matches(lower(line), '^#gmt-offset:')
), t AS (
  -- A line without quotes or tabs (nearly all) is split on spaces: the same tokens, five times faster.
  SELECT line_no, line,
    CASE WHEN contains(line, '"') OR contains(line, chr(9)) THEN list_transform(regexp_extract_all(line, '"(?:[^"]|"")*"|[^ \t]+'),
      lambda x: CASE WHEN length(x) >= 2 AND starts_with(x, '"') AND ends_with(x, '"') THEN replace(substr(x, 2, length(x) - 2), '""', '"') ELSE x END)
    ELSE list_filter(string_split(line, ' '), lambda x: x <> '') END AS tok
  FROM lines
), h AS (
  SELECT t.*, hdr.h_line, hdr.declared, dates.header_date, offsets.o
  FROM t
  ASOF LEFT JOIN hdr ON t.line_no > hdr.h_line
  ASOF LEFT JOIN dates ON t.line_no > dates.d_line
  ASOF LEFT JOIN offsets ON t.line_no > offsets.o_line
), f AS (
  SELECT *,
    CASE WHEN len(declared) = len(tok) THEN declared
         WHEN regexp_full_match(tok[1], '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN CASE len(tok) ${layoutCase} END
    END AS fields
  FROM h
)`;

function valueCtes(localZone: string | undefined): string {
  return `g AS (
  SELECT *,
    list_contains(fields, 'date-local') OR list_contains(fields, 'time-local') AS local_time,
    coalesce(${pick('date')}, header_date) AS date_txt,
    ${pick('time')} AS time_txt,
    ${pick('method')} AS method_txt,
    ${pick('uri_stem')} AS stem_field,
    ${pick('path')} AS uri_txt,
    ${pick('query')} AS query_txt,
    ${pick('status')} AS status_txt
  FROM f
), k AS (
  SELECT *,
    -- cs-uri may carry the host before the path (Incapsula: www.example.com/page.php)
    coalesce(stem_field, CASE WHEN starts_with(uri_txt, '/') THEN uri_txt ELSE nullif(substr(uri_txt, strpos(uri_txt, '/')), uri_txt) END) AS stem_txt,
    CASE WHEN NOT starts_with(uri_txt, '/') AND strpos(uri_txt, '/') > 1 THEN left(uri_txt, strpos(uri_txt, '/') - 1) END AS uri_host,
    try_strptime(date_txt || ' ' || time_txt, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%d/%b/%Y %H:%M:%S']) AS naive,
    -- IIS FTP logs write the session number before the verb: [3]sent
    regexp_extract(method_txt, '^\\[([0-9]+)\\]', 1) AS ftp_session
  FROM g
), m AS (
  SELECT *,
    CASE
      WHEN local_time THEN ${localZone ? `timezone(${localZone}, naive)` : 'NULL::TIMESTAMPTZ'}
      WHEN o IS NOT NULL AND o.hh <> '' THEN timezone('UTC', naive - (CASE WHEN o.sign = '-' THEN -1 ELSE 1 END) * (to_hours(o.hh::INTEGER) + to_minutes(o.mm::INTEGER)))
      ELSE timezone('UTC', naive)
    END AS time
  FROM k
)`;
}

function w3cRead(ctx: FormatContext): ColumnMap {
  const localZone = ctx.timezone ? quoteString(ctx.timezone) : undefined;
  return {
    ctes: `${HEADER_CTES}, ${valueCtes(localZone)}`,
    from: 'm',
    columns: {
      time: 'time',
      client_ip: pick('client_ip'),
      forwarded_for: pick('forwarded_for'),
      vhost: `coalesce(${pick('vhost')}, uri_host)`,
      method: `CASE WHEN ftp_session <> '' THEN substr(method_txt, length(ftp_session) + 3) ELSE method_txt END`,
      path: `stem_txt || CASE WHEN query_txt IS NOT NULL THEN '?' || query_txt ELSE '' END`,
      protocol: pick('protocol'),
      status: 'try_cast(status_txt AS INTEGER)',
      bytes: `try_cast(${pick('bytes')} AS BIGINT)`,
      user_agent: pick('user_agent'),
      referer: pick('referer'),
      account: pick('account'),
      session: `coalesce(${pick('session')}, nullif(ftp_session, ''))`,
      request_id: pick('request_id'),
    },
    rejectWhen: [
      ['fields IS NULL AND declared IS NULL', `'no #Fields: header before this line, and its ' || len(tok) || ' fields match no IIS default layout'`],
      ['fields IS NULL', `len(tok) || ' fields, but the #Fields: header on line ' || h_line || ' declares ' || len(declared) || ' (and no IIS default layout has ' || len(tok) || ')'`],
      [`local_time AND ${localZone ? 'FALSE' : 'TRUE'}`, `'date-local/time-local are local times: set timezone: on this source'`],
      ['naive IS NULL', `'no usable date and time (date ' || coalesce('''' || date_txt || '''', 'missing') || ', time ' || coalesce('''' || time_txt || '''', 'missing') || ')'`],
      ['method_txt IS NULL AND stem_txt IS NULL', `'neither a method nor a URI: not a request'`],
      [`status_txt IS NOT NULL AND NOT regexp_full_match(status_txt, '[0-9]{3}')`, `'status ''' || status_txt || ''' is not a 3-digit code'`],
    ],
  };
}

/** A headerless IIS line: date, time, then a plain value, with as many fields as an IIS layout has. */
const IIS_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [^[\s]/;
const headerlessIis = (line: string) => IIS_LINE.test(line) && IIS_LAYOUTS[line.split(/ +/).length] !== undefined;
const W3C_HEADER = /^#(Fields|Software|Version|Date|Start-Date|GMT-Offset):/i;

const IIS_SAMPLE =
  '2022-11-07 14:29:06 127.0.0.1 GET /tickets/IT10000042/image pcn=IT10000042 443 M104233 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) https://ticketviewer.example/ 200 0 0 130';

export const w3c: LogFormat = {
  name: 'w3c',
  title: 'W3C extended (IIS, HTTP.sys, NetScaler, Incapsula, ...): #Fields: headers, changes mid-file',
  fills: ['time', 'client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'session'],
  samples: [
    IIS_SAMPLE,
    '2020-10-07 23:00:17 192.168.16.11 POST /api/GeneralLedger - 443 - 192.168.7.63 Mozilla/5.0 https://x.example/ 200 0 0 26 192.168.198.23',
    '2018-01-01 10:11:12 W3SVC1 MACHINE-NAME 127.0.0.1 GET / - 80 - ::1%0 HTTP/1.1 curl/8.0 - - example.com 200 0 0 123 456 789',
  ],
  rejects: [
    { line: '2022-11-07 14:29:06 127.0.0.1 GET /us', reason: /no #Fields: header before this line/ },
    { line: '2022-11-07 25:29:06 127.0.0.1 GET /us - 80 - 127.0.0.1 Go-http-client/1.1 - 404 0 2 130', reason: /no usable date and time/ },
    { line: '2022-11-07 14:29:06 127.0.0.1 GET /us - 80 - 127.0.0.1 Go-http-client/1.1 - 4x4 0 2 130', reason: /not a 3-digit code/ },
  ],
  sniff: (line, comments = []) => !line.includes('\t') && (headerlessIis(line) || comments.some((c) => W3C_HEADER.test(c))),
  read: w3cRead,
};
