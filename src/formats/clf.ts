import type { FastPath, FormatContext, LogFormat } from './format.js';

/*
 * The NCSA family: `[vhost ]host ident user [time] "request" status bytes[ "referer" "user-agent"][ extra]`.
 * Fields are found by position (strpos and slices), not by a regex with capture groups: on two
 * cores that is the difference between about 4 and about 0.5 seconds for two million lines.
 * Apache escapes `"` and `\` inside quoted fields as `\"` and `\\`; they are swapped for the
 * reserved bytes 0x03 and 0x02 first so that every remaining `"` is structural, then swapped back.
 * nginx writes `\x22` and `\x5C` instead, which are decoded in the same step.
 */

const decodeAll = (x: string) =>
  `replace(replace(replace(replace(replace(${x}, '\\x22', '"'), '\\x5C', '\\'), '\\x5c', '\\'), chr(3), '"'), chr(2), '\\')`;
/** Decodes escapes; most fields hold none, and a contains() test is far cheaper than five replaces. */
export const decode = (x: string) => `CASE WHEN contains(${x}, '\\') OR contains(${x}, chr(2)) OR contains(${x}, chr(3)) THEN ${decodeAll(x)} ELSE ${x} END`;

const dash = (x: string) => `nullif(${x}, '-')`;

/*
 * An access line sent through syslog keeps a header in front: `Jul  8 11:07:07 host nginx[2869]: `
 * (RFC 3164, with or without a <priority>). The header is dropped and the payload read; the time
 * is the payload's own (syslog's has no year and no zone). A line without one pays one failed
 * anchored match on its first characters.
 */
const SYSLOG_HEADER = '^(<[0-9]+>)?[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [^ ]+ [^ :]+: ';
const SYSLOG_STRIP = `CASE WHEN regexp_matches(line, '${SYSLOG_HEADER}') THEN regexp_replace(line, '${SYSLOG_HEADER}', '') ELSE line END`;
const SYSLOG_HEADER_RE = /^(<\d+>)?[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ [^ :]+: /;
/** A line as the NCSA sniffs see it: without a syslog header. */
const payload = (line: string) => line.replace(SYSLOG_HEADER_RE, '');

/*
 * The head before [time] comes in the shapes servers write, told apart by its field count:
 *   3: host ident user                      (common, combined)
 *   4: vhost[:port] host ident user         (vhost_combined)
 *   5: vhost forwarded-for-list socket ident user   (nginx with $http_x_forwarded_for first)
 *      vhost host ident request-id user     (BunkerWeb)
 * One reader reads every shape on every line, so a file whose layout changes mid-way (a config
 * change, a vhost line in a plain log) loses no request; the format name only drives `auto`.
 * An address token holding a comma list is a chain: the entries before the last are
 * forwarded-for, the last is the socket.
 */
const lastHop = (token: string) => `CASE WHEN contains(${token}, ',') THEN regexp_extract(${token}, '[^,]*$') ELSE ${token} END`;
const earlierHops = (token: string) => `CASE WHEN contains(${token}, ',') THEN regexp_extract(${token}, '^(.*),[^,]*$', 1) END`;

/** What differs between the readers built on clfSql: the name in a reject reason, and whether status may be '-'. */
export interface ClfVariant {
  readonly names: string;
  /** Traefik writes `- -` for status and size when no response was sent. */
  readonly dashStatus: boolean;
}

const NCSA: ClfVariant = { names: 'common/combined/vhost_combined', dashStatus: false };

export function clfSql(variant: ClfVariant = NCSA): string {
  const addr = `CASE len(h) WHEN 3 THEN h[1] WHEN 4 THEN h[2] ELSE CASE WHEN contains(h[2], ',') THEN h[2] || ',' || h[3] ELSE h[2] END END`;
  const bunkerweb = `len(h) = 5 AND h[3] = '-' AND NOT contains(h[2], ',')`;
  const r = requestSql('rq', 'request', decode);
  // The head (up to `] "`) is split on spaces and the rest on the structural quotes, one pass each:
  // p = ['', request, ' status bytes ', referer, ' ', user-agent, extra...].
  return `
WITH s AS (
  SELECT line_no, line, replace(replace(${SYSLOG_STRIP}, '\\\\', chr(2)), '\\"', chr(3)) AS l FROM lines
), f AS (
  SELECT line_no, line, l, strpos(l, '] "') AS p_req FROM s
), g AS (
  SELECT line_no, line, p_req,
    CASE WHEN p_req > 0 THEN substr(l, 1, p_req) END AS head_ts,
    CASE WHEN p_req > 0 THEN string_split(substr(l, p_req + 2), '"') END AS p
  FROM f
), h AS (
  SELECT *, strpos(head_ts, ' [') AS p_ts FROM g
), i AS (
  SELECT *,
    CASE WHEN p_ts > 0 THEN substr(head_ts, 1, p_ts - 1) END AS head,
    CASE WHEN p_ts > 0 THEN substr(head_ts, p_ts + 2, length(head_ts) - p_ts - 2) END AS ts,
    p[2] AS request,
    string_split(p[3], ' ') AS sb
  FROM h
), j AS (
  SELECT *,
    -- Quotes and the spaces after commas go, so an X-Forwarded-For list (quoted or bare) is one token.
    string_split(CASE WHEN contains(head, ',') OR contains(head, '"') THEN replace(replace(head, '"', ''), ', ', ',') ELSE head END, ' ') AS h,
    try_strptime(ts, '%d/%b/%Y:%H:%M:%S %z') AS time,
    sb[2] AS status_txt,
    sb[3] AS bytes_txt,
    string_split(request, ' ') AS rq
  FROM i
)
SELECT
  line_no,
  line,
  time,
  ${lastHop(addr)} AS client_ip,
  ${earlierHops(addr)} AS forwarded_for,
  CASE WHEN len(h) > 3 THEN h[1] END AS vhost,
  ${r.method} AS method,
  ${r.path} AS path,
  ${r.protocol} AS protocol,
  try_cast(status_txt AS INTEGER) AS status,
  try_cast(${dash('bytes_txt')} AS BIGINT) AS bytes,
  CASE WHEN len(p) >= 7 AND p[5] = ' ' THEN ${decode(dash('p[6]'))} END AS user_agent,
  CASE WHEN len(p) >= 5 AND right(p[3], 1) = ' ' THEN ${decode(dash('p[4]'))} END AS referer,
  ${decode(dash('h[len(h)]'))} AS account,
  NULL::VARCHAR AS session,
  CASE WHEN ${bunkerweb} THEN ${dash('h[4]')} END AS request_id,
  NULL::VARCHAR AS document,
  CASE
    WHEN p_req = 0 OR p_ts = 0 THEN CASE
      WHEN regexp_matches(line, '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} \\[[a-z]+\\] [0-9]+#[0-9]+:') THEN 'an nginx error-log line, not a request'
      WHEN regexp_matches(line, '^\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]?[0-9] [0-9:.]+ [0-9]{4}\\] \\[') THEN 'an Apache error-log line, not a request'
      WHEN regexp_matches(line, '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ \\[(NOTICE|INFO|ERROR|WARN|DEBUG)\\] ') THEN 'a LiteSpeed error-log line, not a request'
      ELSE 'no [time] "request" fields: not a ${variant.names} line' END
    WHEN len(h) NOT BETWEEN 3 AND 5 THEN 'expected 3 to 5 fields ([vhost] host ident user) before [time], found ' || len(h)
    WHEN len(h) = 5 AND NOT contains(h[2], ',') AND NOT (${bunkerweb}) THEN 'five fields before [time] that are neither vhost, forwarded-for, socket, ident, user nor vhost, host, ident, request id, user'
    WHEN time IS NULL THEN 'time [' || ts || '] is not dd/Mon/yyyy:HH:MM:SS +hhmm'
    WHEN len(p) < 3 THEN 'the quoted request is not closed'
    WHEN left(p[3], 1) <> ' ' THEN 'no space after the quoted request'
    WHEN NOT regexp_full_match(coalesce(status_txt, ''), '${variant.dashStatus ? '[0-9]{3}|-' : '[0-9]{3}'}') THEN 'status ''' || coalesce(status_txt, '') || ''' is not a 3-digit code'
    WHEN NOT regexp_full_match(coalesce(bytes_txt, ''), '[0-9]+|-') THEN 'size ''' || coalesce(bytes_txt, '') || ''' is not a number or -'
  END AS reject_reason
FROM j`;
}

/** METHOD target HTTP/x.y from a decoded request field; a target with raw spaces keeps them. */
export function requestSql(rq: string, request: string, dec: (x: string) => string): { method: string; path: string; protocol: string } {
  const method = `CASE WHEN len(${rq}) >= 2 AND regexp_full_match(${rq}[1], '[A-Za-z][A-Za-z0-9_-]*') THEN ${rq}[1] END`;
  const proto = `CASE WHEN len(${rq}) >= 3 AND starts_with(${rq}[-1], 'HTTP/') THEN ${rq}[-1] ELSE '' END`;
  return {
    method: dec(method),
    path: `CASE WHEN ${method} IS NULL THEN NULL
       WHEN len(${rq}) = 2 OR (len(${rq}) = 3 AND ${proto} <> '') THEN ${dec(`${rq}[2]`)}
       ELSE ${dec(`substr(${request}, length(${rq}[1]) + 2, length(${request}) - length(${rq}[1]) - 1 - CASE WHEN ${proto} = '' THEN 0 ELSE length(${proto}) + 1 END)`)} END`,
    protocol: `nullif(${proto}, '')`,
  };
}

function fastPath(head: readonly string[], tail: readonly string[]): FastPath {
  const columns = [...head, 'ts', 'tz', 'request', 'status', 'bytes', ...tail];
  return {
    columns,
    sql: () => {
      // Ingest sends no line with a backslash other than `\"` here, which the CSV reader has decoded.
      const r = requestSql('rq', 'request', (x) => x);
      return `
WITH x AS (
  SELECT *, try_strptime(ts || ' ' || tz, '[%d/%b/%Y:%H:%M:%S %z]') AS time, string_split(request, ' ') AS rq FROM fast
)
SELECT
  line_no,
  time,
  ${lastHop('host')} AS client_ip,
  ${earlierHops('host')} AS forwarded_for,
  ${head.includes('vhost') ? 'vhost' : 'NULL::VARCHAR'} AS vhost,
  ${r.method} AS method,
  ${r.path} AS path,
  ${r.protocol} AS protocol,
  try_cast(status AS INTEGER) AS status,
  try_cast(${dash('bytes')} AS BIGINT) AS bytes,
  ${tail.includes('user_agent') ? dash('user_agent') : 'NULL::VARCHAR'} AS user_agent,
  ${tail.includes('referer') ? dash('referer') : 'NULL::VARCHAR'} AS referer,
  ${dash('usr')} AS account,
  NULL::VARCHAR AS session,
  NULL::VARCHAR AS request_id,
  NULL::VARCHAR AS document,
  CASE
    WHEN time IS NULL THEN 'time ' || ts || ' ' || tz || ' is not [dd/Mon/yyyy:HH:MM:SS +hhmm]'
    WHEN NOT regexp_full_match(status, '[0-9]{3}') THEN 'status ''' || status || ''' is not a 3-digit code'
    WHEN NOT regexp_full_match(bytes, '[0-9]+|-') THEN 'size ''' || bytes || ''' is not a number or -'
  END AS reject_reason
FROM x`;
    },
  };
}

export const Q = String.raw`"(?:[^"\\]|\\.)*"`;
export const TIME = String.raw`\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`;
const TAIL = String.raw` \d{3} (?:\d+|-)`;
const COMMON_RE = new RegExp(String.raw`^\S+ \S+ \S+ ${TIME} ${Q}${TAIL}\s*$`);
const COMBINED_RE = new RegExp(String.raw`^\S+ \S+ \S+ ${TIME} ${Q}${TAIL} ${Q} ${Q}`);
const VHOST_RE = new RegExp(String.raw`^\S+ (?:"[^"]*" |(?:\S+, )*)\S+ (?:\S+ )?\S+ \S+ ${TIME} ${Q}${TAIL}`);

const COMBINED_SAMPLE = String.raw`203.0.113.7 - M104233 [16/Mar/2015:10:02:11 +0000] "GET /tickets/IT10000042/image HTTP/1.1" 200 48211 "https://ticketviewer.example/" "Mozilla/5.0 \"quoted\" \\ ok"`;

export const combined: LogFormat = {
  name: 'combined',
  title: 'Apache/nginx combined (NCSA extended)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [
    COMBINED_SAMPLE,
    '::1 - - [17/Oct/2023:05:57:49 +1100] "\\x16\\x03\\x01" 400 226 "-" "-"',
    '10.1.2.3 - - [29/Mar/2015:02:00:00 +0100] "GET /evidence.aspx?pcn=IT1&x=\\x22y\\x22 HTTP/1.1" 304 - "-" "curl/7.1"',
  ],
  rejects: [
    { line: '192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210 "-" "gPXE/0.9.7"', reason: /expected 3 to 5 fields/ },
    { line: '1.2.3.4 - - [16/Mar/2015:10:00 +0000] "GET / HTTP/1.0" 200 1 "-" "-"', reason: /is not dd\/Mon/ },
    { line: 'uplherc.upl.com - - [01/Aug/1995:00:00:44 -0400] "GET /shuttle/missions', reason: /not closed/ },
    { line: 'random text', reason: /no \[time\]/ },
  ],
  sniff: (line) => COMBINED_RE.test(payload(line)),
  sql: (_ctx: FormatContext) => clfSql(),
  fast: fastPath(['host', 'ident', 'usr'], ['referer', 'user_agent']),
};

export const common: LogFormat = {
  ...combined,
  name: 'common',
  title: 'NCSA common log format',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes'],
  samples: ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'],
  sniff: (line) => COMMON_RE.test(payload(line)),
  fast: fastPath(['host', 'ident', 'usr'], []),
};

export const vhostCombined: LogFormat = {
  name: 'vhost_combined',
  title: 'Apache vhost_combined (%v:%p or %v first)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [`tickets.example:443 ${COMBINED_SAMPLE}`, 'www.example.com 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'],
  rejects: [{ line: `a b c d e f ${COMBINED_SAMPLE}`, reason: /expected 3 to 5 fields/ }],
  sniff: (line) => VHOST_RE.test(payload(line)),
  sql: (_ctx: FormatContext) => clfSql(),
  fast: fastPath(['vhost', 'host', 'ident', 'usr'], ['referer', 'user_agent']),
};
