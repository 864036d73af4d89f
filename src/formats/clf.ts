import type { FormatContext, LogFormat } from './format.js';

/*
 * The NCSA family: `[vhost ]host ident user [time] "request" status bytes[ "referer" "user-agent"][ extra]`.
 * Fields are found by position (strpos and slices), not by a regex with capture groups: on two
 * cores that is the difference between about 4 and about 0.5 seconds for two million lines.
 * Apache escapes `"` and `\` inside quoted fields as `\"` and `\\`; they are swapped for the
 * reserved bytes 0x03 and 0x02 first so that every remaining `"` is structural, then swapped back.
 * nginx writes `\x22` and `\x5C` instead, which are decoded in the same step.
 */

const decode = (x: string) =>
  `replace(replace(replace(replace(replace(${x}, '\\x22', '"'), '\\x5C', '\\'), '\\x5c', '\\'), chr(3), '"'), chr(2), '\\')`;

const dash = (x: string) => `nullif(${x}, '-')`;

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

function clfSql(): string {
  const addr = `CASE len(h) WHEN 3 THEN h[1] WHEN 4 THEN h[2] ELSE CASE WHEN contains(h[2], ',') THEN h[2] || ',' || h[3] ELSE h[2] END END`;
  const bunkerweb = `len(h) = 5 AND h[3] = '-' AND NOT contains(h[2], ',')`;
  return `
WITH s AS (
  SELECT line_no, line, replace(replace(line, '\\\\', chr(2)), '\\"', chr(3)) AS l FROM lines
), p AS (
  SELECT line_no, line, l, strpos(l, ' [') AS p_ts, strpos(l, '] "') AS p_req FROM s
), f AS (
  SELECT line_no, line, p_ts, p_req,
    CASE WHEN p_ts > 0 THEN l[1:p_ts - 1] END AS head,
    CASE WHEN p_ts > 0 AND p_req > p_ts THEN l[p_ts + 2:p_req - 1] END AS ts,
    CASE WHEN p_ts > 0 AND p_req > p_ts THEN l[p_req + 3:] END AS t
  FROM p
), g AS (
  -- Quotes and the spaces after commas go, so an X-Forwarded-For list (quoted or bare) is one token.
  SELECT *, string_split(CASE WHEN contains(head, ',') OR contains(head, '"') THEN replace(replace(head, '"', ''), ', ', ',') ELSE head END, ' ') AS h,
    strpos(t, '"') AS q1 FROM f
), r AS (
  SELECT *, t[1:q1 - 1] AS request, t[q1 + 1:] AS after_req FROM g
), sb AS (
  SELECT *, after_req[2:] AS sb0 FROM r
), sb1 AS (
  SELECT *, strpos(sb0, ' ') AS sp1 FROM sb
), sb2 AS (
  SELECT *,
    CASE WHEN sp1 > 0 THEN sb0[1:sp1 - 1] ELSE sb0 END AS status_txt,
    CASE WHEN sp1 > 0 THEN sb0[sp1 + 1:] ELSE '' END AS rest1
  FROM sb1
), sb3 AS (
  SELECT *, strpos(rest1, ' ') AS sp2 FROM sb2
), sb4 AS (
  SELECT *,
    CASE WHEN sp2 > 0 THEN rest1[1:sp2 - 1] ELSE rest1 END AS bytes_txt,
    CASE WHEN sp2 > 0 THEN rest1[sp2 + 1:] ELSE '' END AS tail
  FROM sb3
), rf AS (
  SELECT *, CASE WHEN tail[1:1] = '"' THEN strpos(tail[2:], '"') ELSE 0 END AS r2 FROM sb4
), rf2 AS (
  SELECT *,
    CASE WHEN r2 > 0 THEN tail[2:r2] END AS referer_raw,
    CASE WHEN r2 > 0 AND tail[r2 + 2:r2 + 3] = ' "' THEN tail[r2 + 4:] END AS ua_part
  FROM rf
), ua AS (
  SELECT *, strpos(ua_part, '"') AS u2 FROM rf2
), req AS (
  SELECT *,
    CASE WHEN u2 > 0 THEN ua_part[1:u2 - 1] END AS ua_raw,
    strpos(request, ' ') AS s1,
    try_strptime(ts, '%d/%b/%Y:%H:%M:%S %z') AS time
  FROM ua
), rq AS (
  SELECT *,
    CASE WHEN s1 > 1 AND regexp_full_match(request[1:s1 - 1], '[A-Za-z][A-Za-z0-9_-]*') THEN request[1:s1 - 1] END AS method_raw,
    regexp_extract(request, ' (HTTP/[0-9.]+)$', 1) AS proto_raw
  FROM req
)
SELECT
  line_no,
  line,
  time,
  ${lastHop(addr)} AS client_ip,
  ${earlierHops(addr)} AS forwarded_for,
  CASE WHEN len(h) > 3 THEN h[1] END AS vhost,
  ${decode('method_raw')} AS method,
  CASE WHEN method_raw IS NOT NULL THEN ${decode(`request[s1 + 1:len(request) - CASE WHEN proto_raw = '' THEN 0 ELSE len(proto_raw) + 1 END]`)} END AS path,
  nullif(proto_raw, '') AS protocol,
  try_cast(status_txt AS INTEGER) AS status,
  try_cast(${dash('bytes_txt')} AS BIGINT) AS bytes,
  ${decode(dash('ua_raw'))} AS user_agent,
  ${decode(dash('referer_raw'))} AS referer,
  ${decode(dash('h[len(h)]'))} AS account,
  NULL::VARCHAR AS session,
  CASE WHEN ${bunkerweb} THEN ${dash('h[4]')} END AS request_id,
  NULL::VARCHAR AS document,
  CASE
    WHEN p_ts = 0 THEN 'no [time] field: not a common/combined/vhost_combined line'
    WHEN len(h) NOT BETWEEN 3 AND 5 THEN 'expected 3 to 5 fields ([vhost] host ident user) before [time], found ' || len(h)
    WHEN len(h) = 5 AND NOT contains(h[2], ',') AND NOT (${bunkerweb}) THEN 'five fields before [time] that are neither vhost, forwarded-for, socket, ident, user nor vhost, host, ident, request id, user'
    WHEN p_req = 0 THEN 'no quoted request after [time]'
    WHEN time IS NULL THEN 'time [' || ts || '] is not dd/Mon/yyyy:HH:MM:SS +hhmm'
    WHEN q1 = 0 THEN 'the quoted request is not closed'
    WHEN after_req[1:1] <> ' ' THEN 'no space after the quoted request'
    WHEN NOT regexp_full_match(status_txt, '[0-9]{3}') THEN 'status ''' || status_txt || ''' is not a 3-digit code'
    WHEN NOT regexp_full_match(bytes_txt, '[0-9]+|-') THEN 'size ''' || bytes_txt || ''' is not a number or -'
  END AS reject_reason
FROM rq`;
}

const Q = String.raw`"(?:[^"\\]|\\.)*"`;
const TIME = String.raw`\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`;
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
  sniff: (line) => COMBINED_RE.test(line),
  sql: (_ctx: FormatContext) => clfSql(),
};

export const common: LogFormat = {
  ...combined,
  name: 'common',
  title: 'NCSA common log format',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes'],
  samples: ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'],
  sniff: (line) => COMMON_RE.test(line),
};

export const vhostCombined: LogFormat = {
  name: 'vhost_combined',
  title: 'Apache vhost_combined (%v:%p or %v first)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [`tickets.example:443 ${COMBINED_SAMPLE}`, 'www.example.com 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'],
  rejects: [{ line: `a b c d e f ${COMBINED_SAMPLE}`, reason: /expected 3 to 5 fields/ }],
  sniff: (line) => VHOST_RE.test(line),
  sql: (_ctx: FormatContext) => clfSql(),
};
