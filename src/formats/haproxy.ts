import { quoteString } from '../db/sql.js';
import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';
import { beforeLastColon, requestSql } from './sql-pieces.js';

/*
 * HAProxy httplog, with or without a syslog header:
 *   [syslog header] client:port [accept date] frontend backend/server Tq/Tw/Tc/Tr/Tt status bytes
 *     req-cookie res-cookie termination-state act/fe/be/srv/retries srv-queue/backend-queue
 *     [{captured request headers}] [{captured response headers}] "request"[ unique-id]
 * Tokens are found by position from both ends, so extra fields a custom log-format puts between
 * backend/server and the timers are skipped. Captured headers are left alone: which header is
 * which depends on the configuration, which the log does not say.
 *
 * The accept date has no offset. It is read in the source's `timezone:`; without one, in the offset
 * of an RFC 5424 syslog header (written by the same host); without either, the line is rejected
 * saying so. The RFC 3164 header's own time is ignored: it has no year and no zone.
 */
function haproxyCtes(ctx: FormatContext): string {
  const tz = ctx.timezone ? quoteString(ctx.timezone) : undefined;
  return `a AS (
  SELECT line_no, line, strpos(line, ' [') AS p0 FROM lines
), b AS (
  -- An RFC 5424 header may carry structured data in brackets: then the accept date is the next ' ['.
  SELECT line_no, line,
    CASE WHEN p0 = 0 THEN 0
         WHEN substr(line, p0 + 4, 1) = '/' THEN p0
         WHEN strpos(substr(line, p0 + 2), ' [') > 0 THEN p0 + 1 + strpos(substr(line, p0 + 2), ' [')
         ELSE 0 END AS p
  FROM a
), c AS (
  SELECT *, substr(line, 1, p - 1) AS pre, substr(line, p + 2) AS from_date FROM b
), d AS (
  SELECT *, strpos(reverse(pre), ' ') AS k, strpos(from_date, ']') AS q FROM c
), e AS (
  SELECT *,
    CASE WHEN k = 0 THEN pre ELSE right(pre, k - 1) END AS client_tok,
    CASE WHEN k > 0 THEN left(pre, length(pre) - k) END AS syslog,
    left(from_date, q - 1) AS date_txt,
    substr(from_date, q + 2) AS rest
  FROM d
), f AS (
  SELECT *, strpos(rest, ' "') AS pa, strpos(rest, ' {') AS pb, strpos(reverse(rest), '"') AS rq_end FROM e
), g AS (
  SELECT *,
    pb > 0 AND (pa = 0 OR pb < pa) AS captures,
    CASE WHEN pb > 0 AND (pa = 0 OR pb < pa) THEN CASE WHEN strpos(rest, '} "') > 0 THEN strpos(rest, '} "') + 2 ELSE 0 END
         ELSE CASE WHEN pa > 0 THEN pa + 1 ELSE 0 END END AS rq_open,
    CASE WHEN rq_end > 0 THEN length(rest) - rq_end + 1 ELSE 0 END AS rq_close
  FROM f
), h AS (
  SELECT *,
    string_split(CASE WHEN captures THEN left(rest, pb - 1) WHEN pa > 0 THEN left(rest, pa - 1) ELSE rest END, ' ') AS t,
    CASE WHEN rq_open > 0 THEN CASE WHEN rq_close > rq_open THEN substr(rest, rq_open + 1, rq_close - rq_open - 1) ELSE substr(rest, rq_open + 1) END END AS request,
    CASE WHEN rq_open > 0 AND rq_close > rq_open THEN nullif(ltrim(substr(rest, rq_close + 1)), '') END AS after_request,
    -- RFC 5424: <pri>1 2019-02-25T16:19:49.123+01:00 host app pid msgid [sd|-]
    CASE WHEN regexp_matches(coalesce(syslog, ''), '^(<[0-9]+>)?1 [0-9]{4}-') THEN split_part(regexp_replace(syslog, '^(<[0-9]+>)?1 ', ''), ' ', 1) END AS rfc5424_ts,
    contains(date_txt, ' ') AS date_has_offset,
    try_strptime(date_txt, ['%d/%b/%Y:%H:%M:%S.%g', '%d/%b/%Y:%H:%M:%S']) AS local_time
  FROM g
), i AS (
  SELECT *, len(t) AS n, string_split(request, ' ') AS rq,
    CASE WHEN right(rfc5424_ts, 1) = 'Z' THEN '+00:00'
         WHEN regexp_full_match(right(coalesce(rfc5424_ts, ''), 6), '[+-][0-9]{2}:[0-9]{2}') THEN right(rfc5424_ts, 6) END AS syslog_offset
  FROM h
), j AS (
  SELECT *,
    CASE
      WHEN date_has_offset THEN try_strptime(date_txt, ['%d/%b/%Y:%H:%M:%S.%g %z', '%d/%b/%Y:%H:%M:%S %z'])
      ${tz ? `ELSE timezone(${tz}, local_time)` : `ELSE try_cast(strftime(local_time, '%Y-%m-%d %H:%M:%S.%f') || syslog_offset AS TIMESTAMPTZ)`}
    END AS time,
    t[n - 6] AS status_txt,
    t[n - 5] AS bytes_txt
  FROM i
)`;
}

const TIMERS5 = `regexp_full_match(coalesce(t[n - 7], ''), '-?[0-9]+/-?[0-9]+/-?[0-9]+/-?[0-9]+/[+]?-?[0-9]+')`;
const TIMERS3 = `regexp_full_match(coalesce(t[n - 4], ''), '-?[0-9]+/-?[0-9]+/[+]?-?[0-9]+')`;

function haproxyRead(ctx: FormatContext): ColumnMap {
  const r = requestSql('rq', 'request');
  return {
    ctes: haproxyCtes(ctx),
    from: 'j',
    columns: {
      time: 'time',
      client_ip: `nullif(CASE WHEN contains(client_tok, ':') THEN ${beforeLastColon('client_tok')} ELSE client_tok END, '-')`,
      method: r.method,
      path: r.path,
      protocol: r.protocol,
      // -1: no response was sent (the client went away or the request was aborted).
      status: `CASE WHEN regexp_full_match(status_txt, '[0-9]{3}') THEN status_txt::INTEGER END`,
      // A leading '+' marks a size logged before the response ended (option logasap).
      bytes: `try_cast(CASE WHEN starts_with(bytes_txt, '+') THEN substr(bytes_txt, 2) ELSE bytes_txt END AS BIGINT)`,
      // %ID (unique-id-format) appended after the request, as HAProxy's documentation shows it.
      request_id: `CASE WHEN NOT contains(after_request, ' ') THEN nullif(after_request, '-') END`,
    },
    rejectWhen: [
      [
        'p = 0',
        `'no client:port [accept date]: a message, not an HAProxy request line: '
      || left(CASE WHEN strpos(line, ']: ') > 0 THEN substr(line, strpos(line, ']: ') + 3) ELSE line END, 120)`,
      ],
      ['q = 0', `'the accept date [' || left(from_date, 40) || ' is not closed'`],
      [`right(t[1], 1) = ':'`, `'a connection event, not an HTTP request: ' || left(rest, 120)`],
      [`rq_open = 0 AND n = 7 AND ${TIMERS3}`, `'a TCP-mode (tcplog) connection, not an HTTP request'`],
      ['rq_open = 0', `'no quoted "request": not an HAProxy httplog line'`],
      [
        `n < 10 OR NOT ${TIMERS5}`,
        `'expected frontend, backend/server, Tq/Tw/Tc/Tr/Tt timers, status, bytes, two cookies, termination state, connection counts and queues before the request; found ' || n || ' fields'`,
      ],
      [`NOT regexp_full_match(status_txt, '[0-9]{3}|-1')`, `'status ''' || status_txt || ''' is not a 3-digit code or -1'`],
      [`NOT regexp_full_match(bytes_txt, '[+]?[0-9]+')`, `'bytes ''' || bytes_txt || ''' is not a number'`],
      ['local_time IS NULL AND NOT date_has_offset', `'accept date [' || date_txt || '] is not dd/Mon/yyyy:HH:MM:SS.mmm'`],
      [
        'time IS NULL AND NOT date_has_offset',
        `'accept date [' || date_txt || '] has no UTC offset and the source has no timezone: set timezone: on this source to the zone of the HAProxy host (e.g. timezone: Europe/Berlin)'`,
      ],
      ['time IS NULL', `'accept date [' || date_txt || '] is not dd/Mon/yyyy:HH:MM:SS[.mmm] +hhmm'`],
    ],
  };
}

const HAPROXY_RE = /(?:^|\s)(?:-|[0-9A-Za-z.:_-]+):\d{1,5} \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?: [+-]\d{4})?\] \S/;
/** A syslog line from the haproxy process: its startup and alert messages make a file HAProxy's too. */
const HAPROXY_TAG_RE = /^(?:<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ haproxy\[\d+\]: /;

export const haproxy: LogFormat = {
  name: 'haproxy',
  title: 'HAProxy httplog (with or without a syslog header)',
  fills: ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'request_id'],
  samples: [
    // Lines with an RFC 3164 header or none need the source's timezone: see the rejects.
    '<134>1 2018-09-25T06:05:27.590+02:00 hostname haproxy 6801 - - 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 "POST /user/ HTTP/1.1"',
    '<134>1 2019-02-25T15:19:49.123Z lb1 haproxy 7 - [meta seq="1"] 141.35.244.171:53332 [25/Feb/2019:15:19:48.143] prod_http_in~ bk_admin/nginx 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 {Mozilla/5.0} {} "GET /admin?survey=130 HTTP/1.1" 8D6A1C2B:ABCD_0A000001:01BB_5C73F8B4_0001:1B2C',
    '10.0.1.2:33317 [06/Feb/2009:12:14:14 +0100] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"',
  ],
  rejects: [
    { line: 'Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started.', reason: /not an HAProxy request line/ },
    { line: '192.168.1.4:50033 [28/Feb/2025:02:43:10.123] frontend/backend: SSL handshake failure', reason: /a connection event, not an HTTP request/ },
    { line: '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] tcp-in app/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0', reason: /TCP-mode \(tcplog\) connection/ },
    { line: 'Sep 25 06:05:27 hostname haproxy[6801]: 4.3.2.1:55008 [25/Sep/2018:06:05:27.584] ft_https~ bk_https/abc 0/0/0/72/72 200 7456 - - ---- 5/4/0/1/0 0/0 "POST /user/ HTTP/1.1"', reason: /has no UTC offset and the source has no timezone: set timezone:/ },
  ],
  sniff: (line) => HAPROXY_RE.test(line) || HAPROXY_TAG_RE.test(line),
  read: haproxyRead,
};

