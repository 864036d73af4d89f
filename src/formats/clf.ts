import type { ColumnMap } from './column-map.js';
import type { FastPath, FormatContext, LogFormat } from './format.js';
import { CLF_TIME, dash, decode, hideEscapes, requestSql } from './sql-pieces.js';

/*
 * The NCSA family: `[vhost ]host ident user [time] "request" status bytes[ "referer" "user-agent"][ extra]`.
 * Fields are found by position (strpos and slices), not by a regex with capture groups: on two
 * cores that is the difference between about 4 and about 0.5 seconds for two million lines.
 * Apache's `\"` and `\\` inside quoted fields are swapped for reserved bytes first so that every
 * remaining `"` is structural, then swapped back (decode in sql-pieces.ts, with nginx's `\x22`).
 */

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
 * The head before [time] comes in the shapes servers write:
 *   host ident user                                  (common, combined, traefik_clf)
 *   vhost[:port] host ident user                     (vhost_combined; host may be a forwarded-for chain)
 *   vhost forwarded-for-list socket ident user       (nginx with $http_x_forwarded_for before the socket)
 *   vhost host - request-id user                     (BunkerWeb)
 * The user is written by the client (nginx fills $remote_user from any Basic Authorization header
 * a client sends, and does not escape spaces), so it may hold spaces and add fields at the end of
 * the head. The shape is therefore never told by the field count, only by the fields left of the
 * user: an explicit format reads its own shape and rejects a line of another, saying what it
 * expected; `auto` reads every shape, telling a vhost line by its second field, which is the client
 * address there and the ident (`-` from nginx, never the user) in a host-first line. Whatever the
 * user holds, the address is read from the field the shape says, and the rest of the head is the user.
 * An address token holding a comma list is a chain: the entries before the last are
 * forwarded-for, the last is the socket.
 */
const lastHop = (token: string) => `CASE WHEN contains(${token}, ',') THEN regexp_extract(${token}, '[^,]*$') ELSE ${token} END`;
const earlierHops = (token: string) => `CASE WHEN contains(${token}, ',') THEN regexp_extract(${token}, '^(.*),[^,]*$', 1) END`;
/** An IPv4 or IPv6 address as a socket is logged, or a forwarded-for chain (a comma list). */
const addressLike = (token: string) => `(contains(${token}, ',') OR regexp_full_match(${token}, '[0-9]{1,3}([.][0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*'))`;
/** A forwarded-for list as one token: `, ` between entries goes, and inside quotes every space. */
const oneTokenChains = (x: string) => `CASE WHEN contains(${x}, '"') THEN array_to_string(list_transform(string_split(${x}, '"'),
    (s, i) -> CASE WHEN i % 2 = 0 THEN replace(replace(s, ', ', ','), ' ', ',') ELSE replace(s, ', ', ',') END), '')
  WHEN contains(${x}, ',') THEN replace(${x}, ', ', ',') ELSE ${x} END`;

/**
 * Which head shapes a reader takes: `host` (host ident user) or `vhost` (vhost first) for a
 * format set in the case file, which rejects a line of the other shape; `auto-host` and
 * `auto-vhost` for the format `auto` picked, which read both, the picked one deciding a line whose
 * second field is neither `-` nor an address (a hostname: HostnameLookups, or an identd answer).
 */
export type ClfHead = 'host' | 'vhost' | 'auto-host' | 'auto-vhost';

/** What differs between the readers built on clfRead. */
export interface ClfVariant {
  /** The formats a line that has no [time] "request" is not, in its reject reason. */
  readonly names: string;
  /** The format named in a reason for a head of another shape. */
  readonly format: string;
  /** Traefik writes `- -` for status and size when no response was sent. */
  readonly dashStatus: boolean;
  readonly head: ClfHead;
}

const HOST_FIELDS = 'host ident user before [time]';
const VHOST_FIELDS = 'vhost host ident user before [time]';

/** SQL: whether a line has a vhost first, from the fields left of the user (never from their count). */
function vhostFirst(head: ClfHead, n: string, second: string): string {
  if (head === 'host') return 'false';
  if (head === 'vhost') return 'true';
  return `(${n} >= 4 AND ${second} <> '-'${head === 'auto-host' ? ` AND ${addressLike(second)}` : ''})`;
}

/** Why a line has no head of the shape the reader expects, if so: a reject per shape. */
function shapeRejects(variant: ClfVariant, n: string): [string, string][] {
  if (variant.head === 'host')
    return [
      [`${n} < 3`, `'expected ${HOST_FIELDS} (${variant.format}), found ' || ${n} || ' field(s)'`],
      [
        `${n} >= 4 AND h[2] <> '-' AND ${addressLike('h[2]')}`,
        `'expected ${HOST_FIELDS} (${variant.format}); this line has an address second, as a vhost line (vhost host ident user) has: set format: vhost_combined, or auto'`,
      ],
    ];
  if (variant.head === 'vhost')
    return [
      [`${n} < 4`, `'expected ${VHOST_FIELDS} (${variant.format}), found ' || ${n} || ' field(s)'`],
      [`h[2] = '-'`, `'expected ${VHOST_FIELDS} (${variant.format}); the client address (second field) is -, as the ident of a host-first line (host ident user) is: set format: combined, or auto'`],
    ];
  return [[`${n} < 3`, `'expected [vhost] ${HOST_FIELDS}, found ' || ${n} || ' field(s)'`]];
}

/** A line without [time] "request": an error-log line says what it is. */
const notRequest = (names: string) => `CASE
      WHEN regexp_matches(line, '^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} \\[[a-z]+\\] [0-9]+#[0-9]+:') THEN 'an nginx error-log line, not a request'
      WHEN regexp_matches(line, '^\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]?[0-9] [0-9:.]+ [0-9]{4}\\] \\[') THEN 'an Apache error-log line, not a request'
      WHEN regexp_matches(line, '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ \\[(NOTICE|INFO|ERROR|WARN|DEBUG)\\] ') THEN 'a LiteSpeed error-log line, not a request'
      ELSE 'no [time] "request" fields: not a ${names} line' END`;

/** The CTEs that take an NCSA line apart, ending in `o`. */
function clfCtes(variant: ClfVariant): string {
  const n = 'len(h)';
  const v = vhostFirst(variant.head, n, 'h[2]');
  const chain5 = `${n} >= 5 AND contains(h[2], ',') AND NOT contains(h[3], ',') AND ${addressLike('h[3]')}`;
  const bunkerweb = `${n} >= 5 AND h[3] = '-' AND NOT contains(h[2], ',')`;
  // The head (up to `] "`) is split on spaces and the rest on the structural quotes, one pass each:
  // p = ['', request, ' status bytes ', referer, ' ', user-agent, extra...].
  return `s AS (
  SELECT line_no, line, ${hideEscapes(SYSLOG_STRIP, 'line')} AS l FROM lines
), f AS (
  SELECT line_no, line, l, strpos(l, '] "') AS p_req FROM s
), g AS (
  SELECT line_no, line, p_req,
    CASE WHEN p_req > 0 THEN substr(l, 1, p_req) END AS head_ts,
    CASE WHEN p_req > 0 THEN string_split(substr(l, p_req + 2), '"') END AS p
  FROM f
), h AS (
  -- The last ' [' opens the time: a user name may hold ' [' too.
  SELECT *, CASE WHEN strpos(head_ts, ' [') > 0 THEN length(head_ts) - strpos(reverse(head_ts), '[ ') ELSE 0 END AS p_ts FROM g
), i AS (
  SELECT *,
    CASE WHEN p_ts > 0 THEN substr(head_ts, 1, p_ts - 1) END AS head,
    CASE WHEN p_ts > 0 THEN substr(head_ts, p_ts + 2, length(head_ts) - p_ts - 2) END AS ts,
    p[2] AS request,
    string_split(p[3], ' ') AS sb
  FROM h
), j AS (
  SELECT *,
    string_split(${oneTokenChains('head')}, ' ') AS h,
    try_strptime(ts, '${CLF_TIME}') AS time,
    sb[2] AS status_txt,
    sb[3] AS bytes_txt,
    string_split(request, ' ') AS rq
  FROM i
), k AS (
  SELECT *, coalesce(${v}, false) AS v FROM j
), m AS (
  SELECT *, v AND coalesce(${chain5}, false) AS chain5, v AND coalesce(${bunkerweb}, false) AS bunkerweb FROM k
), o AS (
  SELECT *,
    CASE WHEN NOT v THEN h[1] WHEN chain5 THEN h[2] || ',' || h[3] ELSE h[2] END AS addr,
    -- The user is every field from u0 on.
    CASE WHEN NOT v THEN 3 WHEN chain5 OR bunkerweb THEN 5 ELSE 4 END AS u0
  FROM m
)`;
}

export function clfRead(variant: ClfVariant): ColumnMap {
  const n = 'len(h)';
  const r = requestSql('rq', 'request', decode);
  return {
    ctes: clfCtes(variant),
    from: 'o',
    columns: {
      time: 'time',
      client_ip: lastHop('addr'),
      forwarded_for: earlierHops('addr'),
      vhost: 'CASE WHEN v THEN h[1] END',
      method: r.method,
      path: r.path,
      protocol: r.protocol,
      status: 'try_cast(status_txt AS INTEGER)',
      bytes: `try_cast(${dash('bytes_txt')} AS BIGINT)`,
      user_agent: `CASE WHEN len(p) >= 7 AND p[5] = ' ' THEN ${decode(dash('p[6]'))} END`,
      referer: `CASE WHEN len(p) >= 5 AND right(p[3], 1) = ' ' THEN ${decode(dash('p[4]'))} END`,
      account: decode(dash(`CASE WHEN ${n} <= u0 THEN h[u0] ELSE array_to_string(list_slice(h, u0, ${n}), ' ') END`)),
      request_id: `CASE WHEN bunkerweb THEN ${dash('h[4]')} END`,
    },
    rejectWhen: [
      ['p_req = 0 OR p_ts = 0', notRequest(variant.names)],
      ...shapeRejects(variant, n),
      ['time IS NULL', `'time [' || ts || '] is not dd/Mon/yyyy:HH:MM:SS +hhmm'`],
      ['len(p) < 3', `'the quoted request is not closed'`],
      [`left(p[3], 1) <> ' '`, `'no space after the quoted request'`],
      [`NOT regexp_full_match(coalesce(status_txt, ''), '${variant.dashStatus ? '[0-9]{3}|-' : '[0-9]{3}'}')`, `'status ''' || coalesce(status_txt, '') || ''' is not a 3-digit code'`],
      [`NOT regexp_full_match(coalesce(bytes_txt, ''), '[0-9]+|-')`, `'size ''' || coalesce(bytes_txt, '') || ''' is not a number or -'`],
    ],
  };
}

/** A head column as the general reader tokenises it: the CSV reader has taken a quoted field whole. */
const headToken = (col: string) => `CASE WHEN contains(${col}, ' ') THEN replace(replace(${col}, ', ', ','), ' ', ',') ELSE ${col} END`;

function fastPath(head: readonly string[], tail: readonly string[], mode: ClfHead): FastPath {
  const columns = [...head, 'ts', 'tz', 'request', 'status', 'bytes', ...tail];
  const vhostCols = head.includes('vhost');
  // Every row here has the head the columns name (a line with more or fewer fields fails the CSV
  // reader, and the general reader reads the file); what the general reader does with a vhost-first
  // head whose second field is '-' is done here too.
  const hostFirst = vhostCols ? `host = '-'` : 'false';
  // Ingest sends no line with a backslash other than `\"` here, which the CSV reader has decoded.
  const r = requestSql('rq', 'request');
  const shapeReject: [string, string][] =
    vhostCols && mode === 'vhost'
      ? [[`host = '-'`, `'expected ${VHOST_FIELDS} (vhost_combined); the client address (second field) is -, as the ident of a host-first line (host ident user) is: set format: combined, or auto'`]]
      : [];
  const ctes = `x AS (
  SELECT *, try_strptime(ts || ' ' || tz, '[${CLF_TIME}]') AS time, string_split(request, ' ') AS rq,
    ${vhostCols ? `${headToken('vhost')} AS v_tok, ${headToken('ident')} AS ident_tok,` : ''}
    ${headToken('host')} AS host_tok, ${headToken('usr')} AS usr_tok
  FROM fast
), y AS (
  SELECT *,
    CASE WHEN ${hostFirst} THEN ${vhostCols ? 'v_tok' : 'host_tok'} ELSE host_tok END AS addr,
    CASE WHEN ${hostFirst} THEN ${vhostCols ? `ident_tok || ' ' || usr_tok` : 'usr_tok'} ELSE usr_tok END AS usr_all
  FROM x
)`;
  return {
    columns,
    read: () => ({
      ctes,
      from: 'y',
      columns: {
        time: 'time',
        client_ip: lastHop('addr'),
        forwarded_for: earlierHops('addr'),
        vhost: vhostCols ? `CASE WHEN ${hostFirst} THEN NULL ELSE v_tok END` : undefined,
        method: r.method,
        path: r.path,
        protocol: r.protocol,
        status: 'try_cast(status AS INTEGER)',
        bytes: `try_cast(${dash('bytes')} AS BIGINT)`,
        user_agent: tail.includes('user_agent') ? dash('user_agent') : undefined,
        referer: tail.includes('referer') ? dash('referer') : undefined,
        account: dash('usr_all'),
      },
      rejectWhen: [
        ...shapeReject,
        ['time IS NULL', `'time ' || ts || ' ' || tz || ' is not [dd/Mon/yyyy:HH:MM:SS +hhmm]'`],
        [`NOT regexp_full_match(status, '[0-9]{3}')`, `'status ''' || status || ''' is not a 3-digit code'`],
        [`NOT regexp_full_match(bytes, '[0-9]+|-')`, `'size ''' || bytes || ''' is not a number or -'`],
      ],
    }),
  };
}

export const Q = String.raw`"(?:[^"\\]|\\.)*"`;
export const TIME = String.raw`\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`;
const TAIL = String.raw` \d{3} (?:\d+|-)`;
const COMMON_RE = new RegExp(String.raw`^\S+ \S+ \S+ ${TIME} ${Q}${TAIL}\s*$`);
const COMBINED_RE = new RegExp(String.raw`^\S+ \S+ \S+ ${TIME} ${Q}${TAIL} ${Q} ${Q}`);
const VHOST_RE = new RegExp(String.raw`^\S+ (?:"[^"]*" |(?:\S+, )*)\S+ (?:\S+ )?\S+ \S+ ${TIME} ${Q}${TAIL}`);

const COMBINED_SAMPLE = String.raw`203.0.113.7 - M104233 [16/Mar/2015:10:02:11 +0000] "GET /tickets/IT10000042/image HTTP/1.1" 200 48211 "https://ticketviewer.example/" "Mozilla/5.0 \"quoted\" \\ ok"`;

export const NCSA_NAMES = 'common/combined/vhost_combined';
const HOST_COLUMNS = ['host', 'ident', 'usr'];
const VHOST_COLUMNS = ['vhost', 'host', 'ident', 'usr'];
const COMBINED_TAIL = ['referer', 'user_agent'];

/**
 * The reader `auto` uses when it picks an NCSA format: every head shape on every line (a file whose
 * layout changes mid-way loses no request); the format picked decides only the undecidable head.
 */
export function ncsaAuto(format: LogFormat, variant: Omit<ClfVariant, 'head'>, head: 'auto-host' | 'auto-vhost', columns?: { head: readonly string[]; tail: readonly string[] }): LogFormat {
  return { ...format, read: () => clfRead({ ...variant, head }), fast: columns && fastPath(columns.head, columns.tail, head) };
}

const combinedStrict: LogFormat = {
  name: 'combined',
  title: 'Apache/nginx combined (NCSA extended)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [
    COMBINED_SAMPLE,
    '::1 - - [17/Oct/2023:05:57:49 +1100] "\\x16\\x03\\x01" 400 226 "-" "-"',
    '10.1.2.3 - - [29/Mar/2015:02:00:00 +0100] "GET /evidence.aspx?pcn=IT1&x=\\x22y\\x22 HTTP/1.1" 304 - "-" "curl/7.1"',
  ],
  rejects: [
    { line: '192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210 "-" "gPXE/0.9.7"', reason: /expected host ident user before \[time\] \(combined\), found 1 field/ },
    { line: `tickets.example:443 ${COMBINED_SAMPLE}`, reason: /expected host ident user .*an address second.*set format: vhost_combined/ },
    { line: '1.2.3.4 - - [16/Mar/2015:10:00 +0000] "GET / HTTP/1.0" 200 1 "-" "-"', reason: /is not dd\/Mon/ },
    { line: 'uplherc.upl.com - - [01/Aug/1995:00:00:44 -0400] "GET /shuttle/missions', reason: /not closed/ },
    { line: 'random text', reason: /no \[time\]/ },
  ],
  sniff: (line) => COMBINED_RE.test(payload(line)),
  read: (_ctx: FormatContext) => clfRead({ names: NCSA_NAMES, format: 'combined', dashStatus: false, head: 'host' }),
  fast: fastPath(HOST_COLUMNS, COMBINED_TAIL, 'host'),
};

export const combined: LogFormat = {
  ...combinedStrict,
  auto: ncsaAuto(combinedStrict, { names: NCSA_NAMES, format: 'auto', dashStatus: false }, 'auto-host', { head: HOST_COLUMNS, tail: COMBINED_TAIL }),
};

const commonStrict: LogFormat = {
  ...combinedStrict,
  name: 'common',
  title: 'NCSA common log format',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes'],
  samples: ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'],
  rejects: [{ line: '192.168.202.254 - [20/Jul/2009:22:59:29 +0000] "GET / HTTP/1.0" 404 46210', reason: /expected host ident user before \[time\] \(common\), found 2 field/ }],
  sniff: (line) => COMMON_RE.test(payload(line)),
  read: (_ctx: FormatContext) => clfRead({ names: NCSA_NAMES, format: 'common', dashStatus: false, head: 'host' }),
  fast: fastPath(HOST_COLUMNS, [], 'host'),
};

export const common: LogFormat = {
  ...commonStrict,
  auto: ncsaAuto(commonStrict, { names: NCSA_NAMES, format: 'auto', dashStatus: false }, 'auto-host', { head: HOST_COLUMNS, tail: [] }),
};

const vhostStrict: LogFormat = {
  name: 'vhost_combined',
  title: 'Apache vhost_combined (%v:%p or %v first)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [`tickets.example:443 ${COMBINED_SAMPLE}`, 'www.example.com 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'],
  rejects: [
    { line: COMBINED_SAMPLE, reason: /expected vhost host ident user before \[time\] \(vhost_combined\), found 3 field/ },
    { line: '203.0.113.77 - x M172273 [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', reason: /client address \(second field\) is -.*set format: combined/ },
  ],
  sniff: (line) => VHOST_RE.test(payload(line)),
  read: (_ctx: FormatContext) => clfRead({ names: NCSA_NAMES, format: 'vhost_combined', dashStatus: false, head: 'vhost' }),
  fast: fastPath(VHOST_COLUMNS, COMBINED_TAIL, 'vhost'),
};

export const vhostCombined: LogFormat = {
  ...vhostStrict,
  auto: ncsaAuto(vhostStrict, { names: NCSA_NAMES, format: 'auto', dashStatus: false }, 'auto-vhost', { head: VHOST_COLUMNS, tail: COMBINED_TAIL }),
};
