import { quoteString } from '../db/sql.js';
import { clfSql, ncsaAuto, Q, requestSql, TIME } from './clf.js';
import type { FormatContext, LogFormat } from './format.js';
import { jsonObject, jsonPath, jsonTimeCtes, missingZoneSql, TOO_BIG_REASON } from './jsonl.js';

/*
 * Readers for reverse proxies and CDNs whose access logs have a fixed shape of their own: Caddy,
 * Traefik (JSON and CLF), HAProxy and Cloudflare Logpush. The JSON ones read named keys through
 * jsonl's one-pass extraction; Traefik CLF is the NCSA reader; HAProxy is split by position.
 * Each says, for a line that is not a request (a Caddy debug record, a Traefik plugin message,
 * a HAProxy startup or TLS-handshake line), that it is not one.
 */

/** JSON paths read per line, by name; `at(name)` is the extracted text (NULL when absent). */
function jsonKeys<K extends string>(keys: Record<K, string>): { paths: string[]; at: (k: K) => string } {
  const names = Object.keys(keys) as K[];
  return { paths: names.map((k) => keys[k]), at: (k) => `v[${names.indexOf(k) + 1}]` };
}

/** `[v6]:port`, `v4:port` or a bare address -> the address; a text with several colons is IPv6 without a port. */
const hostOf = (addr: string) =>
  `CASE WHEN starts_with(${addr}, '[') THEN split_part(substr(${addr}, 2), ']', 1)
        WHEN length(${addr}) - length(replace(${addr}, ':', '')) = 1 THEN split_part(${addr}, ':', 1)
        ELSE ${addr} END`;

/** A forwarded-for list as the NCSA reader stores it: comma-separated, no spaces. */
const xffList = (x: string) => `nullif(replace(${x}, ', ', ','), '')`;
/** Status 0 is logged when no handler wrote a status (Caddy, Traefik) or none was sent: not an HTTP status. */
const statusOf = (x: string) => `nullif(try_cast(${x} AS INTEGER), 0)`;
const bytesOf = (x: string) => `try_cast(try_cast(nullif(${x}, '-') AS DOUBLE) AS BIGINT)`;
const text = (x: string) => `nullif(nullif(${x}, '-'), '')`;
/** The whole line when it is a JSON object, '{}' otherwise (DuckDB may evaluate both arms of a CASE). */
const OBJ = `CASE WHEN ok THEN doc ELSE '{}' END`;

function timeReasons(field: string, ctx: FormatContext, forms: string): string {
  return `WHEN ${missingZoneSql(ctx.timezone)} THEN '${field} ''' || t_text || ''' has no UTC offset and the source has no timezone: set timezone: on this source'
    WHEN time IS NULL THEN '${field} ' || t_text || ' is not ${forms}'`;
}

// ---------------------------------------------------------------- Caddy

const header = (name: string) => `${jsonPath(`request.headers.${name}`)}[0]`;

function caddySql(ctx: FormatContext): string {
  const k = jsonKeys({
    logger: jsonPath('logger'),
    remoteIp: jsonPath('request.remote_ip'),
    remoteAddr: jsonPath('request.remote_addr'),
    clientIp: jsonPath('request.client_ip'),
    host: jsonPath('request.host'),
    method: jsonPath('request.method'),
    uri: jsonPath('request.uri'),
    proto: jsonPath('request.proto'),
    status: jsonPath('status'),
    size: jsonPath('size'),
    user: jsonPath('user_id'),
    ua: header('User-Agent'),
    referer: header('Referer'),
    requestId: header('X-Request-Id'),
  });
  // Caddy before 2.5 logged remote_addr (address:port) instead of remote_ip and remote_port.
  const socket = `coalesce(${k.at('remoteIp')}, ${hostOf(k.at('remoteAddr'))})`;
  return `
WITH ${jsonTimeCtes(k.paths, [jsonPath('ts')], ctx.timezone)}, c AS (
  SELECT *, ${socket} AS socket,
    -- Go canonicalises header names, so X-Forwarded-For is spelt one way; each value is one header line.
    ${xffList(`array_to_string(json_extract_string(${OBJ}, '${jsonPath('request.headers.X-Forwarded-For')}[*]'), ',')`)} AS xff
  FROM json_time
)
SELECT
  line_no,
  line,
  time,
  socket AS client_ip,
  -- client_ip differs from remote_ip when Caddy took it from a trusted proxy's header.
  coalesce(xff, CASE WHEN ${k.at('clientIp')} <> socket THEN ${k.at('clientIp')} END) AS forwarded_for,
  ${k.at('host')} AS vhost,
  ${k.at('method')} AS method,
  ${k.at('uri')} AS path,
  ${k.at('proto')} AS protocol,
  ${statusOf(k.at('status'))} AS status,
  ${bytesOf(k.at('size'))} AS bytes,
  ${text(k.at('ua'))} AS user_agent,
  ${text(k.at('referer'))} AS referer,
  ${text(k.at('user'))} AS account,
  NULL::VARCHAR AS session,
  ${text(k.at('requestId'))} AS request_id,
  NULL::VARCHAR AS document,
  CASE
    ${TOO_BIG_REASON}
    WHEN NOT ok THEN 'not a JSON object: not a Caddy log record'
    WHEN NOT starts_with(coalesce(${k.at('logger')}, ''), 'http.log.access')
      THEN 'Caddy logger ' || coalesce('''' || ${k.at('logger')} || '''', '(none)') || ' is not an access logger: only http.log.access records are requests'
    WHEN ${k.at('method')} IS NULL THEN 'no request.method: not a Caddy access record'
    WHEN tj IS NULL THEN 'no ts field'
    ${timeReasons('ts', ctx, 'epoch seconds or ISO 8601')}
  END AS reject_reason
FROM c`;
}

export const caddy: LogFormat = {
  name: 'caddy',
  title: 'Caddy v2 JSON access log (http.log.access)',
  fills: ['time', 'client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'request_id'],
  samples: [
    '{"level":"info","ts":1711741864.947103,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"43498","client_ip":"127.0.0.1","proto":"HTTP/1.1","method":"GET","host":"localhost:9080","uri":"/","headers":{"User-Agent":["curl/7.88.1"]}},"user_id":"Bob","duration":0.79,"size":18630,"status":200}',
    '{"level":"info","ts":"2024-05-26T11:22:43.414Z","logger":"http.log.access","msg":"handled request","request":{"remote_addr":"[2001:db8::1]:51234","proto":"HTTP/2.0","method":"GET","host":"example.com","uri":"/a?b=1","headers":{"X-Forwarded-For":["198.51.100.7"],"X-Request-Id":["r-1"]}},"size":5,"status":200}',
  ],
  rejects: [
    { line: '{"level":"debug","ts":1742400753.0547564,"logger":"http.handlers.reverse_proxy","msg":"selected upstream","dial":"immich_server:2283"}', reason: /logger 'http.handlers.reverse_proxy' is not an access logger/ },
    { line: '{"level":"info","logger":"http.log.access","request":{"method":"GET","uri":"/"}}', reason: /no ts field/ },
    { line: 'caddy | GET /', reason: /not a JSON object/ },
  ],
  sniff: (line) => {
    const o = jsonObject(line);
    if (!o || typeof o.logger !== 'string') return false;
    // A Caddy file also holds its other loggers' records; they count as Caddy so the file does.
    return /^(?:http|tls|admin|pki|caddy|events|layer4)(?:\.|$)/.test(o.logger) && ('ts' in o || typeof o.request === 'object');
  },
  sql: caddySql,
};

// ---------------------------------------------------------------- Traefik JSON

function traefikJsonSql(ctx: FormatContext): string {
  const k = jsonKeys({
    addr: jsonPath('ClientAddr'),
    host: jsonPath('ClientHost'),
    user: jsonPath('ClientUsername'),
    requestHost: jsonPath('RequestHost'),
    requestAddr: jsonPath('RequestAddr'),
    method: jsonPath('RequestMethod'),
    path: jsonPath('RequestPath'),
    proto: jsonPath('RequestProtocol'),
    status: jsonPath('DownstreamStatus'),
    size: jsonPath('DownstreamContentSize'),
    ua: jsonPath('request_User-Agent'),
    referer: jsonPath('request_Referer'),
    xff: jsonPath('request_X-Forwarded-For'),
    requestId: jsonPath('request_X-Request-Id'),
    requestId2: jsonPath('request_X-Request-ID'),
  });
  return `
WITH ${jsonTimeCtes(k.paths, [jsonPath('StartUTC'), jsonPath('StartLocal'), jsonPath('time')], ctx.timezone)}, c AS (
  SELECT *, ${hostOf(k.at('addr'))} AS socket FROM json_time
)
SELECT
  line_no,
  line,
  time,
  coalesce(socket, ${k.at('host')}) AS client_ip,
  -- Traefik logs the X-Forwarded-For header as ClientHost when the request has one.
  ${xffList(`coalesce(${k.at('xff')}, CASE WHEN ${k.at('host')} <> socket THEN ${k.at('host')} END)`)} AS forwarded_for,
  coalesce(${k.at('requestHost')}, ${k.at('requestAddr')}) AS vhost,
  ${k.at('method')} AS method,
  ${k.at('path')} AS path,
  ${k.at('proto')} AS protocol,
  ${statusOf(k.at('status'))} AS status,
  ${bytesOf(k.at('size'))} AS bytes,
  ${text(k.at('ua'))} AS user_agent,
  ${text(k.at('referer'))} AS referer,
  ${text(k.at('user'))} AS account,
  NULL::VARCHAR AS session,
  ${text(`coalesce(${k.at('requestId')}, ${k.at('requestId2')})`)} AS request_id,
  NULL::VARCHAR AS document,
  CASE
    ${TOO_BIG_REASON}
    WHEN NOT ok THEN 'not a JSON object: not a Traefik access record'
    WHEN ${k.at('method')} IS NULL AND ${k.at('addr')} IS NULL AND ${k.at('host')} IS NULL
      THEN 'no RequestMethod or ClientAddr: a Traefik log message, not an access record'
    WHEN tj IS NULL THEN 'no StartUTC, StartLocal or time field'
    ${timeReasons('time', ctx, 'ISO 8601')}
  END AS reject_reason
FROM c`;
}

export const traefikJson: LogFormat = {
  name: 'traefik_json',
  title: 'Traefik JSON access log',
  fills: ['time', 'client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'request_id'],
  samples: [
    '{"ClientAddr":"172.17.0.1:39496","ClientHost":"172.17.0.1","ClientPort":"39496","ClientUsername":"-","DownstreamContentSize":357,"DownstreamStatus":200,"RequestHost":"test.docker.localhost","RequestMethod":"GET","RequestPath":"/594VAEoi.save","RequestProtocol":"HTTP/1.1","RouterName":"test@docker","StartLocal":"2021-12-08T14:02:43.587782192Z","StartUTC":"2021-12-08T14:02:43.587782192Z","level":"info","msg":"","request_User-Agent":"Nikto","time":"2021-12-08T14:02:43Z"}',
  ],
  rejects: [
    { line: 'DEBUG: CrowdsecBouncerTraefikPlugin: 2025/09/05 13:53:40 handleStreamCache:updated', reason: /not a JSON object/ },
    { line: '{"level":"info","msg":"Configuration loaded from flags.","time":"2025-11-28T09:21:55Z"}', reason: /not an access record/ },
    { line: '{"ClientAddr":"10.0.0.1:1","RequestMethod":"GET","time":"2023-08-11T11:41:25"}', reason: /has no UTC offset and the source has no timezone/ },
  ],
  sniff: (line) => {
    const o = jsonObject(line);
    return o !== undefined && ('ClientAddr' in o || 'ClientHost' in o) && ('RequestMethod' in o || 'DownstreamStatus' in o);
  },
  sql: traefikJsonSql,
};

// ---------------------------------------------------------------- Traefik CLF

/** Combined, then `<request count> "<router>" "<backend URL>" <duration>ms`; quotes in the router name may be unbalanced. */
const TRAEFIK_CLF_RE = new RegExp(String.raw`^\S+ \S+ \S+ ${TIME} ${Q} (?:\d{3}|-) (?:\d+|-) ${Q} ${Q} \d+ ".*" \d+ms\s*$`);

const traefikClfStrict: LogFormat = {
  name: 'traefik_clf',
  title: 'Traefik CLF access log (combined + count "router" "backend" duration)',
  fills: ['time', 'client_ip', 'account', 'method', 'path', 'status', 'bytes', 'referer', 'user_agent'],
  samples: [
    '1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] "POST / HTTP/2.0" 301 368 "-" "Mozilla/5.0 (X11; Linux x86_64)" 3180 "www.example.com" "http://172.19.0.4:80" 29ms',
    '172.17.1.1 - - [28/Sep/2022:13:38:04 +0000] "GET /mobileadmin/home.cs HTTP/1.1" - - "-" "Nikto" 45640 "-" "-" 0ms',
  ],
  rejects: [
    { line: '172.17.0.1 - - [08/Dec/2021:09:16:05 +0000] "GET / HTTP/1.1" 2000 414 "-" "-" 500 "test@docker" "http://172.17.0.3:80" 0ms', reason: /is not a 3-digit code/ },
    { line: 'time="2021-12-08T09:16:05Z" level=info msg="Configuration loaded"', reason: /not a Traefik CLF line/ },
  ],
  sniff: (line) => TRAEFIK_CLF_RE.test(line),
  // Everything after the user agent (count, router, backend, duration) says nothing about who saw what.
  sql: (_ctx: FormatContext) => clfSql({ names: 'Traefik CLF', format: 'traefik_clf', dashStatus: true, head: 'host' }),
};

export const traefikClf: LogFormat = { ...traefikClfStrict, auto: ncsaAuto(traefikClfStrict, { names: 'Traefik CLF', format: 'auto', dashStatus: true }, 'auto-host') };

// ---------------------------------------------------------------- HAProxy

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
function haproxySql(ctx: FormatContext): string {
  const tz = ctx.timezone ? quoteString(ctx.timezone) : undefined;
  const r = requestSql('rq', 'request', (x) => x);
  const timers5 = `regexp_full_match(coalesce(t[n - 7], ''), '-?[0-9]+/-?[0-9]+/-?[0-9]+/-?[0-9]+/[+]?-?[0-9]+')`;
  const timers3 = `regexp_full_match(coalesce(t[n - 4], ''), '-?[0-9]+/-?[0-9]+/[+]?-?[0-9]+')`;
  return `
WITH a AS (
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
)
SELECT
  line_no,
  line,
  time,
  nullif(CASE WHEN contains(client_tok, ':') THEN left(client_tok, length(client_tok) - strpos(reverse(client_tok), ':')) ELSE client_tok END, '-') AS client_ip,
  NULL::VARCHAR AS forwarded_for,
  NULL::VARCHAR AS vhost,
  ${r.method} AS method,
  ${r.path} AS path,
  ${r.protocol} AS protocol,
  -- -1: no response was sent (the client went away or the request was aborted).
  CASE WHEN regexp_full_match(status_txt, '[0-9]{3}') THEN status_txt::INTEGER END AS status,
  -- A leading '+' marks a size logged before the response ended (option logasap).
  try_cast(CASE WHEN starts_with(bytes_txt, '+') THEN substr(bytes_txt, 2) ELSE bytes_txt END AS BIGINT) AS bytes,
  NULL::VARCHAR AS user_agent,
  NULL::VARCHAR AS referer,
  NULL::VARCHAR AS account,
  NULL::VARCHAR AS session,
  -- %ID (unique-id-format) appended after the request, as HAProxy's documentation shows it.
  CASE WHEN NOT contains(after_request, ' ') THEN nullif(after_request, '-') END AS request_id,
  NULL::VARCHAR AS document,
  CASE
    WHEN p = 0 THEN 'no client:port [accept date]: a message, not an HAProxy request line: '
      || left(CASE WHEN strpos(line, ']: ') > 0 THEN substr(line, strpos(line, ']: ') + 3) ELSE line END, 120)
    WHEN q = 0 THEN 'the accept date [' || left(from_date, 40) || ' is not closed'
    WHEN right(t[1], 1) = ':' THEN 'a connection event, not an HTTP request: ' || left(rest, 120)
    WHEN rq_open = 0 AND n = 7 AND ${timers3} THEN 'a TCP-mode (tcplog) connection, not an HTTP request'
    WHEN rq_open = 0 THEN 'no quoted "request": not an HAProxy httplog line'
    WHEN n < 10 OR NOT ${timers5}
      THEN 'expected frontend, backend/server, Tq/Tw/Tc/Tr/Tt timers, status, bytes, two cookies, termination state, connection counts and queues before the request; found ' || n || ' fields'
    WHEN NOT regexp_full_match(status_txt, '[0-9]{3}|-1') THEN 'status ''' || status_txt || ''' is not a 3-digit code or -1'
    WHEN NOT regexp_full_match(bytes_txt, '[+]?[0-9]+') THEN 'bytes ''' || bytes_txt || ''' is not a number'
    WHEN local_time IS NULL AND NOT date_has_offset THEN 'accept date [' || date_txt || '] is not dd/Mon/yyyy:HH:MM:SS.mmm'
    WHEN time IS NULL AND NOT date_has_offset
      THEN 'accept date [' || date_txt || '] has no UTC offset and the source has no timezone: set timezone: on this source to the zone of the HAProxy host (e.g. timezone: Europe/Berlin)'
    WHEN time IS NULL THEN 'accept date [' || date_txt || '] is not dd/Mon/yyyy:HH:MM:SS[.mmm] +hhmm'
  END AS reject_reason
FROM j`;
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
  sql: haproxySql,
};

// ---------------------------------------------------------------- Cloudflare

function cloudflareSql(ctx: FormatContext): string {
  const k = jsonKeys({
    ip: jsonPath('ClientIP'),
    host: jsonPath('ClientRequestHost'),
    method: jsonPath('ClientRequestMethod'),
    uri: jsonPath('ClientRequestURI'),
    path: jsonPath('ClientRequestPath'),
    proto: jsonPath('ClientRequestProtocol'),
    status: jsonPath('EdgeResponseStatus'),
    bytes: jsonPath('EdgeResponseBytes'),
    ua: jsonPath('ClientRequestUserAgent'),
    referer: jsonPath('ClientRequestReferer'),
    ray: jsonPath('RayID'),
  });
  return `
WITH ${jsonTimeCtes(k.paths, [jsonPath('EdgeStartTimestamp'), jsonPath('EdgeEndTimestamp')], ctx.timezone)}
SELECT
  line_no,
  line,
  time,
  ${text(k.at('ip'))} AS client_ip,
  NULL::VARCHAR AS forwarded_for,
  ${text(k.at('host'))} AS vhost,
  ${text(k.at('method'))} AS method,
  -- ClientRequestURI carries the query string; ClientRequestPath does not.
  ${text(`coalesce(${k.at('uri')}, ${k.at('path')})`)} AS path,
  ${text(k.at('proto'))} AS protocol,
  ${statusOf(k.at('status'))} AS status,
  ${bytesOf(k.at('bytes'))} AS bytes,
  ${text(k.at('ua'))} AS user_agent,
  ${text(k.at('referer'))} AS referer,
  NULL::VARCHAR AS account,
  NULL::VARCHAR AS session,
  ${text(k.at('ray'))} AS request_id,
  NULL::VARCHAR AS document,
  CASE
    ${TOO_BIG_REASON}
    WHEN NOT ok THEN 'not a JSON object: not a Cloudflare Logpush record'
    WHEN ${k.at('method')} IS NULL AND ${k.at('uri')} IS NULL AND ${k.at('path')} IS NULL
      THEN 'no ClientRequestMethod, ClientRequestURI or ClientRequestPath: not a Cloudflare http_requests record'
    WHEN tj IS NULL THEN 'no EdgeStartTimestamp or EdgeEndTimestamp: add EdgeStartTimestamp to the Logpush job''s fields'
    ${timeReasons('EdgeStartTimestamp', ctx, 'RFC 3339 or Unix time (s, ms, ns)')}
  END AS reject_reason
FROM json_time`;
}

export const cloudflare: LogFormat = {
  name: 'cloudflare',
  title: 'Cloudflare Logpush HTTP requests (JSON)',
  fills: ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'request_id'],
  samples: [
    '{"ClientIP":"192.0.2.88","ClientRequestHost":"www.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/admin/config.php?x=1","ClientRequestUserAgent":"python-requests/2.31.0","ClientRequestReferer":"","EdgeResponseBytes":178,"EdgeResponseStatus":403,"EdgeStartTimestamp":1712790004590000000,"RayID":"87a1b2c3d4e5f005","ClientRequestProtocol":"HTTP/1.1"}',
    '{"ClientIP":"87.226.160.250","ClientRequestHost":"www.ripe.net","ClientRequestMethod":"HEAD","ClientRequestURI":"/","EdgeResponseBytes":570,"EdgeResponseStatus":301,"EdgeStartTimestamp":"2022-10-30T00:00:02Z","RayID":"761fde4e984e5ab2"}',
  ],
  rejects: [
    { line: '{"ClientIP":"192.0.2.1","ClientRequestURI":"/","RayID":"1"}', reason: /no EdgeStartTimestamp/ },
    { line: '{"ClientIP":"192.0.2.1","ClientRequestURI":"/","EdgeStartTimestamp":"yesterday"}', reason: /is not RFC 3339 or Unix time/ },
    { line: '{"Datetime":"2022-10-30T00:00:02Z","Action":"block","RayID":"1"}', reason: /not a Cloudflare http_requests record/ },
  ],
  sniff: (line) => {
    const o = jsonObject(line);
    return o !== undefined && ('ClientRequestURI' in o || 'ClientRequestPath' in o || 'ClientRequestMethod' in o) && ('EdgeStartTimestamp' in o || 'RayID' in o);
  },
  sql: cloudflareSql,
};
