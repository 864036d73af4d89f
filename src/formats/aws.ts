import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';
import { beforeLastColon, CLF_TIME, dash, replaceIf, requestSql } from './sql-pieces.js';

/*
 * AWS access logs: Application Load Balancer, classic ELB, CloudFront standard (legacy) and S3
 * server access logs. As in clf.ts, fields are found by position (string_split on the structural
 * quotes, spaces or tabs), not by regexes with capture groups. AWS appends fields to these formats
 * over the years, so every reader reads the fields it needs by position and ignores what follows.
 * `\"` inside a quoted field stands for a quote: it is swapped for the reserved byte 0x03 before the
 * line is split on quotes, and back after.
 */

const unquote = (x: string) => replaceIf(x, 'chr(3)', `'"'`);
const HIDE_ESCAPED_QUOTES = replaceIf('line', `'\\"'`, 'chr(3)');

/** The address of `ip:port`; AWS writes IPv6 without brackets (`2001:db8::1:50718`), so the port is after the last colon. */
const withoutPort = (x: string) => `CASE WHEN contains(${x}, ':') THEN ${beforeLastColon(x)} ELSE ${dash(x)} END`;

/**
 * ALB and classic ELB lines share their layout after ALB's leading `type` field:
 *   [type] time elb client:port target:port t1 t2 t3 elb_status target_status received sent "request" "user_agent" ...
 * and ALB goes on with ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" ... (30-odd
 * fields today). The request is `METHOD scheme://host:port/path?query PROTOCOL`; the host goes to vhost.
 */
function loadBalancerCtes(o: number): string {
  const r = requestSql('rq', 'request');
  return `s AS (
  SELECT line_no, line, string_split(${HIDE_ESCAPED_QUOTES}, '"') AS p FROM lines
), h AS (
  SELECT line_no, line, p, string_split(p[1], ' ') AS h, ${unquote('p[2]')} AS request FROM s
), r AS (
  SELECT *,
    -- A list of formats costs three times as much as one; AWS writes microseconds, whole seconds are the fallback.
    coalesce(try_strptime(h[${1 + o}] || '+0000', '%Y-%m-%dT%H:%M:%S.%fZ%z'), try_strptime(h[${1 + o}] || '+0000', '%Y-%m-%dT%H:%M:%SZ%z')) AS time,
    h[${8 + o}] AS status_txt,
    h[${11 + o}] AS bytes_txt,
    string_split(request, ' ') AS rq
  FROM h
), u AS (
  SELECT *, ${r.method} AS method, ${r.protocol} AS protocol, ${r.target} AS url FROM r
), v AS (
  SELECT *, strpos(url, '://') AS p_scheme FROM u
), w AS (
  SELECT *, CASE WHEN p_scheme > 0 THEN substr(url, p_scheme + 3) END AS after_scheme FROM v
), x AS (
  SELECT *,
    strpos(after_scheme, '/') AS p_path,
    CASE WHEN strpos(after_scheme, '/') > 0 THEN left(after_scheme, strpos(after_scheme, '/') - 1) ELSE after_scheme END AS host_port
  FROM w
)`;
}

function loadBalancerRead(kind: 'alb' | 'elb'): ColumnMap {
  const o = kind === 'alb' ? 1 : 0;
  const what = kind === 'alb' ? 'an ALB access log line' : 'a classic ELB access log line';
  const heads = kind === 'alb' ? 'type, time, elb, client:port, target:port, three processing times, two status codes, two byte counts' : 'time, elb, client:port, backend:port, three processing times, two status codes, two byte counts';
  return {
    ctes: loadBalancerCtes(o),
    from: 'x',
    columns: {
      time: 'time',
      client_ip: withoutPort(`h[${3 + o}]`),
      vhost: `nullif(CASE WHEN starts_with(host_port, '[') THEN left(host_port, strpos(host_port, ']')) ELSE split_part(host_port, ':', 1) END, '')`,
      method: 'method',
      path: 'CASE WHEN method IS NULL THEN NULL WHEN p_scheme = 0 THEN url WHEN p_path > 0 THEN substr(after_scheme, p_path) END',
      protocol: 'protocol',
      status: 'try_cast(status_txt AS INTEGER)',
      bytes: `try_cast(${dash('bytes_txt')} AS BIGINT)`,
      user_agent: `CASE WHEN len(p) >= 5 AND p[3] = ' ' THEN ${unquote(dash('p[4]'))} END`,
      request_id: kind === 'alb' ? `CASE WHEN len(p) >= 7 THEN ${dash('p[6]')} END` : undefined,
    },
    rejectWhen: [
      ['len(p) = 1', `'no quoted request: not ${what}'`],
      [`len(h) <> ${12 + o} OR h[${12 + o}] <> ''`, `'expected ${11 + o} space-separated fields (${heads}) before the quoted request, found ' || (len(h) - 1)`],
      ['time IS NULL', `'time ''' || h[${1 + o}] || ''' is not ISO 8601 UTC like 2018-07-02T22:23:00.186641Z'`],
      ['len(p) = 2', `'the quoted request is not closed'`],
      [`NOT regexp_full_match(status_txt, '[0-9]{3}|-')`, `'elb_status_code ''' || status_txt || ''' is not a 3-digit code or -'`],
      [`NOT regexp_full_match(bytes_txt, '[0-9]+|-')`, `'sent_bytes ''' || bytes_txt || ''' is not a number or -'`],
      ...(kind === 'elb' ? [[`request = '- - - '`, `'request "- - - " is a TCP/SSL listener connection: no HTTP request was made'`] as const] : []),
    ],
  };
}

/**
 * Percent-decodes a CloudFront value. Some distributions encoded user agents twice (`%2520`): a value
 * that still holds `%20` after one pass is decoded again (a user agent with a literal `%20` is rarer
 * than one with spaces). A sequence that does not decode keeps the value as logged.
 */
const decodeOnce = (x: string) => `coalesce(try(url_decode(${x})), ${x})`;

/*
 * CloudFront standard logs (legacy), tab-separated, UTC, in the order of the `#Fields` header AWS
 * has used since 2010 (new fields are only ever appended):
 *   1 date  2 time  3 x-edge-location  4 sc-bytes  5 c-ip  6 cs-method  7 cs(Host)  8 cs-uri-stem
 *   9 sc-status  10 cs(Referer)  11 cs(User-Agent)  12 cs-uri-query  13 cs(Cookie)  14 x-edge-result-type
 *   15 x-edge-request-id  16 x-host-header  17 cs-protocol  18 cs-bytes  19 time-taken  20 x-forwarded-for
 *   21 ssl-protocol  22 ssl-cipher  23 x-edge-response-result-type  24 cs-protocol-version ...
 * The layout is fixed, so the '#Fields' header (a comment to ingest) is not needed to read a line.
 * Legacy RTMP distributions (retired in 2020) logged events instead of requests:
 *   1 date  2 time  3 x-edge-location  4 c-ip  5 x-event  6 sc-bytes  7 x-cf-status  8 x-cf-client-id
 *   9 cs-uri-stem (rtmp://host/app)  10 cs-uri-query  11 c-referrer  12 x-page-url  13 c-user-agent
 *   14 x-sname  15 x-sname-query  16 x-file-ext  17 x-sid
 * An RTMP event has no HTTP method or status: method is the event (connect, play, ...), status is
 * NULL, and path is the application path followed by the stream name.
 */
const RTMP_EVENTS = ['connect', 'play', 'stop', 'pause', 'unpause', 'seek', 'disconnect'] as const;

function cloudfrontCtes(): string {
  const events = RTMP_EVENTS.map((e) => `'${e}'`).join(', ');
  return `s AS (
  -- Tabs always; a copy whose tabs became runs of spaces (as in documentation) is read the same way.
  SELECT line_no, line, CASE WHEN contains(line, chr(9)) THEN string_split(line, chr(9)) ELSE string_split_regex(line, ' +') END AS f FROM lines
), t AS (
  SELECT *,
    len(f) >= 13 AND f[5] IN (${events}) AS rtmp,
    try_strptime(f[1] || ' ' || f[2] || ' +0000', '%Y-%m-%d %H:%M:%S %z') AS time
  FROM s
), u AS (
  SELECT *,
    CASE WHEN rtmp THEN f[13] ELSE f[11] END AS ua_raw,
    CASE WHEN rtmp THEN substr(f[9], strpos(f[9], '://') + 3) END AS rtmp_after_scheme
  FROM t
), v AS (
  SELECT *,
    CASE WHEN contains(ua_raw, '%') THEN ${decodeOnce('ua_raw')} ELSE ua_raw END AS ua1,
    CASE WHEN strpos(rtmp_after_scheme, '/') > 0 THEN left(rtmp_after_scheme, strpos(rtmp_after_scheme, '/') - 1) ELSE rtmp_after_scheme END AS rtmp_host,
    CASE WHEN strpos(rtmp_after_scheme, '/') > 0 THEN substr(rtmp_after_scheme, strpos(rtmp_after_scheme, '/')) ELSE '' END AS rtmp_app
  FROM u
)`;
}

function cloudfrontRead(): ColumnMap {
  const query = (q: string) => `CASE WHEN ${q} IS NULL OR ${q} IN ('-', '') THEN '' ELSE '?' || ${q} END`;
  const bytes = 'CASE WHEN rtmp THEN f[6] ELSE f[4] END';
  return {
    ctes: cloudfrontCtes(),
    from: 'v',
    columns: {
      time: 'time',
      client_ip: dash('CASE WHEN rtmp THEN f[4] ELSE f[5] END'),
      forwarded_for: `CASE WHEN NOT rtmp AND len(f) >= 20 THEN ${dash('f[20]')} END`,
      vhost: `CASE WHEN rtmp THEN nullif(rtmp_host, '') ELSE coalesce(CASE WHEN len(f) >= 16 THEN ${dash('f[16]')} END, ${dash('f[7]')}) END`,
      method: `CASE WHEN rtmp THEN f[5] ELSE ${dash('f[6]')} END`,
      path: `CASE WHEN rtmp THEN
      CASE WHEN len(f) >= 14 AND f[14] <> '-' THEN rtmp_app || '/' || f[14] || ${query('f[15]')} ELSE rtmp_app || ${query('f[10]')} END
    ELSE f[8] || ${query('f[12]')} END`,
      protocol: `CASE WHEN rtmp THEN nullif(upper(split_part(f[9], ':', 1)), '') WHEN len(f) >= 24 THEN ${dash('f[24]')} END`,
      status: 'CASE WHEN NOT rtmp THEN try_cast(f[9] AS INTEGER) END',
      bytes: `try_cast(${dash(bytes)} AS BIGINT)`,
      user_agent: dash(`CASE WHEN contains(ua1, '%20') THEN ${decodeOnce('ua1')} ELSE ua1 END`),
      referer: dash('CASE WHEN rtmp THEN f[11] ELSE f[10] END'),
      request_id: `CASE WHEN NOT rtmp AND len(f) >= 15 THEN ${dash('f[15]')} END`,
    },
    rejectWhen: [
      [
        'len(f) < 12 AND NOT rtmp',
        `'found ' || len(f) || ' tab-separated fields; a CloudFront line has at least 12 (date, time, edge location, bytes, client IP, method, host, URI stem, status, referer, user agent, query)'`,
      ],
      ['time IS NULL', `'date and time ''' || f[1] || ' ' || f[2] || ''' are not yyyy-mm-dd and HH:MM:SS'`],
      [`NOT rtmp AND NOT regexp_full_match(f[9], '[0-9]{3}')`, `'sc-status ''' || f[9] || ''' is not a 3-digit code'`],
      [`NOT regexp_full_match(${bytes}, '[0-9]+|-')`, `'sc-bytes ''' || ${bytes} || ''' is not a number or -'`],
    ],
  };
}

/*
 * S3 server access logs:
 *   bucket_owner bucket [time] remote_ip requester request_id operation key "request_uri" status
 *   error_code bytes_sent object_size total_time turnaround_time "referer" "user_agent" version_id
 *   host_id signature_version cipher_suite auth_type host_header tls_version access_point_arn ...
 * Lines from before 2019 end after user_agent. Operations named `S3.*` (lifecycle expiry and
 * transitions) are done by S3 itself: they are not requests and are rejected saying so.
 */
function s3Ctes(): string {
  const r = requestSql('rq', 'request');
  return `s AS (
  SELECT line_no, line, ${HIDE_ESCAPED_QUOTES} AS l FROM lines
), a AS (
  SELECT line_no, line, l, strpos(l, ' [') AS p_ts, strpos(l, '] ') AS p_te FROM s
), b AS (
  SELECT line_no, line,
    CASE WHEN p_ts > 0 AND p_te > p_ts THEN string_split(left(l, p_ts - 1), ' ') END AS head,
    CASE WHEN p_ts > 0 AND p_te > p_ts THEN substr(l, p_ts + 2, p_te - p_ts - 2) END AS ts,
    CASE WHEN p_ts > 0 AND p_te > p_ts THEN string_split(substr(l, p_te + 2), '"') END AS p
  FROM a
), c AS (
  SELECT *,
    try_strptime(ts, '${CLF_TIME}') AS time,
    string_split(p[1], ' ') AS x,
    string_split(p[3], ' ') AS y,
    string_split(p[7], ' ') AS z,
    ${unquote('p[2]')} AS request
  FROM b
), d AS (
  SELECT *, string_split(request, ' ') AS rq, y[2] AS status_txt, y[4] AS bytes_txt FROM c
), e AS (
  SELECT *, ${r.method} AS method, ${r.protocol} AS protocol, ${r.target} AS target FROM d
)`;
}

function s3Read(): ColumnMap {
  return {
    ctes: s3Ctes(),
    from: 'e',
    columns: {
      time: 'time',
      client_ip: dash('x[1]'),
      // The Host header where the line has it (2019 on), else the bucket.
      vhost: `coalesce(CASE WHEN len(z) >= 7 THEN ${dash('z[7]')} END, head[2])`,
      method: 'method',
      path: 'CASE WHEN method IS NOT NULL THEN target END',
      protocol: 'protocol',
      status: 'try_cast(status_txt AS INTEGER)',
      bytes: `try_cast(${dash('bytes_txt')} AS BIGINT)`,
      user_agent: `CASE WHEN len(p) >= 7 THEN ${unquote(dash('p[6]'))} END`,
      referer: `CASE WHEN len(p) >= 5 THEN ${unquote(dash('p[4]'))} END`,
      account: dash('x[2]'),
      request_id: dash('x[3]'),
    },
    rejectWhen: [
      ['p IS NULL', `'no [time] field after the bucket owner and bucket: not an S3 server access log line'`],
      ['len(head) <> 2', `'expected 2 fields (bucket owner, bucket) before [time], found ' || len(head)`],
      ['time IS NULL', `'time [' || ts || '] is not dd/Mon/yyyy:HH:MM:SS +hhmm'`],
      [`len(x) <> 6 OR x[6] <> ''`, `'expected 5 fields (remote IP, requester, request ID, operation, key) between [time] and the quoted request URI, found ' || (len(x) - 1)`],
      ['len(p) < 3', `'the quoted request URI is not closed'`],
      ['len(y) < 5', `'no status, error code and bytes sent after the request URI'`],
      [`NOT regexp_full_match(status_txt, '[0-9]{3}|-')`, `'status ''' || status_txt || ''' is not a 3-digit code or -'`],
      [`NOT regexp_full_match(bytes_txt, '[0-9]+|-')`, `'bytes sent ''' || bytes_txt || ''' is not a number or -'`],
      [`starts_with(x[4], 'S3.')`, `'operation ' || x[4] || ' is done by S3 itself (lifecycle), not a request'`],
    ],
  };
}

const LB_TAIL = String.raw`\S+ \S+ \S+ (?:-?[\d.]+ ){3}(?:\d{3}|-) (?:\d{3}|-) (?:\d+|-) (?:\d+|-) "`;
const ISO_Z = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z`;
const ALB_RE = new RegExp(String.raw`^(?:http|https|h2|grpcs|ws|wss) ${ISO_Z} ${LB_TAIL}`);
const ELB_RE = new RegExp(String.raw`^${ISO_Z} ${LB_TAIL}`);
const CLOUDFRONT_WEB_RE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t[^\t]*\t(?:\d+|-)\t[0-9A-Fa-f:.]+\t[A-Za-z-]+\t[^\t]*\t[^\t]*\t\d{3}\t/;
const CLOUDFRONT_RTMP_RE = new RegExp(String.raw`^\d{4}-\d{2}-\d{2}(?:\t| +)\d{2}:\d{2}:\d{2}(?:\t| +)\S+(?:\t| +)[0-9A-Fa-f:.]+(?:\t| +)(?:${RTMP_EVENTS.join('|')})(?:\t| +)\d+(?:\t| +)`);
const S3_RE = /^\S+ [\w.-]+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9_]+\.[A-Z0-9_.]+ \S+ "/;

const ALB_HTTP = 'http 2024-03-05T09:14:02.514083Z app/portal-alb/5d2f0c1b9e3a7a41 198.51.100.23:53422 10.0.1.17:8080 0.001 0.013 0.000 200 200 412 48211 "GET http://portal.example.org:80/cases/7781/document?download=1 HTTP/1.1" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36" - - arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/portal/0a1b2c3d4e5f6a7b "Root=1-65e6e1ba-3f1c2d4e5a6b7c8d9e0f1a2b" "-" "-" 0 2024-03-05T09:14:02.500000Z "forward" "-" "-" "10.0.1.17:8080" "200" "-" "-"';

export const alb: LogFormat = {
  name: 'aws_alb',
  title: 'AWS Application Load Balancer access log',
  fills: ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'user_agent', 'request_id'],
  samples: [
    ALB_HTTP,
    // h2 over TLS, redirect action, the 2024 fields (classification, conn_trace_id) and the 2025 transform fields.
    'h2 2024-03-05T09:15:44.100200Z app/portal-alb/5d2f0c1b9e3a7a41 2001:db8:4006:812::200e:61422 - -1 -1 -1 301 - 93 210 "GET https://portal.example.org:443/login?next=%2Fcases HTTP/2.0" "curl/8.5.0" TLS_AES_128_GCM_SHA256 TLSv1.3 - "Root=1-65e6e210-0a1b2c3d4e5f60718293a4b5" "portal.example.org" "arn:aws:acm:eu-west-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" 1 2024-03-05T09:15:44.099000Z "redirect" "https://www.example.org:443/login" "-" "-" "-" "-" "-" TID_7c1d0a3e5b9f42c6a8e0d1f2b3c4a5d6 "-" "-" "-"',
    // WebSockets over TLS: 101, target answered.
    'wss 2024-03-05T09:20:11.873100Z app/portal-alb/5d2f0c1b9e3a7a41 203.0.113.9:40114 10.0.1.22:8010 0.000 0.001 0.000 101 101 218 786 "GET https://portal.example.org:443/live HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/live/1b2c3d4e5f6a7b8c "Root=1-65e6e33b-1a2b3c4d5e6f708192a3b4c5" "portal.example.org" "-" 2 2024-03-05T09:18:02.010000Z "forward" "-" "-"',
    // A request ALB could not parse: answered 400 without a target, logged in its malformed-request shape.
    'http 2024-03-05T09:21:00.004000Z app/portal-alb/5d2f0c1b9e3a7a41 192.0.2.44:2817 - -1 -1 -1 400 - 0 272 "- http://portal.example.org:80- -" "-" - - - "-" "-" "-" - 2024-03-05T09:21:00.003000Z "-" "-" "-" "-" "-" "-" "-"',
    // A Lambda target (no target address) that answered badly.
    'http 2024-03-05T09:22:10.410000Z app/portal-alb/5d2f0c1b9e3a7a41 192.0.2.45:40322 - 0.000 0.121 0.000 502 - 301 366 "POST http://portal.example.org:80/api/export HTTP/1.1" "python-requests/2.31.0" - - arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/fn/2c3d4e5f6a7b8c9d "Root=1-65e6e382-2b3c4d5e6f708192a3b4c5d6" "-" "-" 0 2024-03-05T09:22:10.288000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-"',
    // The 2016 layout: it ends after trace_id.
    'https 2016-08-10T22:08:42.945958Z app/my-loadbalancer/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259"',
  ],
  rejects: [
    { line: 'random text', reason: /no quoted request: not an ALB/ },
    { line: 'http 2024-03-05T09:14:02.514083Z app/x/1 198.51.100.23:53422 10.0.1.17:8080 0.001 0.013 200 200 412 48211 "GET http://a:80/ HTTP/1.1" "-"', reason: /expected 12 space-separated fields .* found 11/ },
    { line: ALB_HTTP.replace('2024-03-05T09:14:02.514083Z', '2024-03-05 09:14:02'), reason: /expected 12 space-separated fields .* found 13/ },
    { line: ALB_HTTP.replace('2024-03-05T09:14:02.514083Z', '2024-13-05T09:14:02.514083Z'), reason: /is not ISO 8601 UTC/ },
    { line: ALB_HTTP.replace(' 200 200 ', ' OK 200 '), reason: /elb_status_code 'OK' is not a 3-digit code/ },
    { line: ALB_HTTP.slice(0, ALB_HTTP.indexOf('HTTP/1.1"') + 8), reason: /not closed/ },
  ],
  sniff: (line) => ALB_RE.test(line),
  read: (_ctx: FormatContext) => loadBalancerRead('alb'),
};

const ELB_HTTPS = '2015-05-13T23:39:43.945958Z my-loadbalancer 192.0.2.10:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/cases/7781 HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2';

export const elb: LogFormat = {
  name: 'aws_elb',
  title: 'AWS classic Elastic Load Balancer access log',
  fills: ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'user_agent'],
  samples: [
    ELB_HTTPS,
    '2015-05-13T23:39:44.117004Z my-loadbalancer 198.51.100.7:51104 10.0.0.2:80 0.000073 0.001048 0.000057 404 404 0 0 "GET http://www.example.com:80/missing?id=1 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" - -',
    // Before 2015 the line ended after the request.
    '2014-02-15T23:39:43.945958Z my-loadbalancer 192.0.2.11:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1"',
  ],
  rejects: [
    { line: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.0.2.9:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -', reason: /TCP\/SSL listener connection/ },
    { line: `https ${ELB_HTTPS}`, reason: /expected 11 space-separated fields .* found 12/ },
    { line: 'random text', reason: /no quoted request: not a classic ELB/ },
  ],
  sniff: (line) => ELB_RE.test(line),
  read: (_ctx: FormatContext) => loadBalancerRead('elb'),
};

const tabs = (...fields: string[]) => fields.join('\t');
const CF_33 = tabs(
  '2024-03-05', '09:30:01', 'FRA56-P1', '48211', '198.51.100.23', 'GET', 'd111111abcdef8.cloudfront.net', '/cases/7781/document', '200', 'https://portal.example.org/cases',
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)', 'download=1', '-', 'Miss', 'hX2t5n0Y_Q1v9JzB8eWb3cKk7mP4sL6rT0uVxYzA1bC2dE3fG4hI5w==', 'portal.example.org', 'https', '412', '0.013',
  '203.0.113.50', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Miss', 'HTTP/2.0', '-', '-', '53422', '0.012', 'Miss', 'application/pdf', '48000', '-', '-',
);

export const cloudfront: LogFormat = {
  name: 'cloudfront',
  title: 'AWS CloudFront standard log (legacy, tab-separated)',
  fills: ['time', 'client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'request_id'],
  samples: [
    CF_33,
    // The 24-field layout of 2014-2019, a cookie with a raw space and an IPv6 viewer.
    tabs('2014-05-23', '01:13:11', 'FRA2', '182', '2001:db8::7', 'GET', 'd111111abcdef8.cloudfront.net', '/view/my/file.html', '304', '-', 'Mozilla/4.0%20(compatible;%20MSIE%205.0b1;%20Mac_PowerPC)', '-', 'zip 98101', 'RefreshHit', 'MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==', 'd111111abcdef8.cloudfront.net', 'http', '-', '0.001', '-', '-', '-', 'RefreshHit', 'HTTP/1.1'),
    // A user agent encoded twice (%2520), as some older distributions wrote it.
    tabs('2014-05-23', '01:13:12', 'LAX1', '2390282', '192.0.2.202', 'GET', 'd111111abcdef8.cloudfront.net', '/soundtrack/happy.mp3', '200', '-', 'Mozilla/5.0%2520(Windows;%2520U)', 'a=b&c=d', '-', 'Hit', 'xGN7KWpVEmB9Dp7ctcVFQC4E-nrcOcEKS3QyAez--06dV7TEXAMPLE==', 'music.example.com', 'https', '217', '0.002', '-', 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 'Hit', 'HTTP/1.1', '-', '-'),
    // Legacy RTMP streaming events.
    tabs('2010-03-12', '23:51:21', 'SEA4', '192.0.2.222', 'play', '3914', 'OK', 'bfd8a98bee0840d9b871b7f6ade9908f', 'rtmp://s5c39gqb8ow64r.cloudfront.net/cfx/st', 'key=value', 'http://player.example.com/player.swf', 'http://www.example.com/video', 'LNX%2010,0,32,18', 'myvideo', 'p=2&q=4', 'flv', '1'),
  ],
  rejects: [
    { line: tabs('2024-03-05', '09:30:01', 'FRA56-P1', '48211', '198.51.100.23', 'GET'), reason: /found 6 tab-separated fields/ },
    { line: CF_33.replace('09:30:01', '9.30'), reason: /are not yyyy-mm-dd and HH:MM:SS/ },
    { line: CF_33.replace('\t200\t', '\tOK\t'), reason: /sc-status 'OK' is not a 3-digit code/ },
  ],
  sniff: (line) => CLOUDFRONT_WEB_RE.test(line) || CLOUDFRONT_RTMP_RE.test(line),
  read: (_ctx: FormatContext) => cloudfrontRead(),
};

const S3_GET = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be portal-documents [05/Mar/2024:09:40:12 +0000] 198.51.100.23 arn:aws:iam::111122223333:user/m.weber 3E57427F3EXAMPLE REST.GET.OBJECT cases/7781/report.pdf "GET /portal-documents/cases/7781/report.pdf?versionId=3HL4kqtJlcpXroDTDmJ HTTP/1.1" 200 - 48211 48211 70 10 "-" "aws-cli/2.15.0 Python/3.11.6" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader portal-documents.s3.eu-west-1.amazonaws.com TLSv1.2 - -';

export const s3: LogFormat = {
  name: 'aws_s3',
  title: 'AWS S3 server access log',
  fills: ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'request_id'],
  samples: [
    S3_GET,
    // Before 2019 the line ended after the user agent; a website endpoint, anonymous.
    'b659b576cff1e15e4c0313ff8930fba9f53e6794567f5c60dab3abf2f8dfb6cc www.example.com [10/Feb/2012:16:42:07 -0500] 192.0.2.4 - EB3502676500C6BE WEBSITE.GET.OBJECT index "GET /index HTTP/1.1" 200 - 368 368 10 9 "http://www.example.com/" "Mozilla/5.0 (X11; Linux x86_64)"',
    // Denied, with the fields added up to 2023 (access point ARN, aclRequired) and one more.
    '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be portal-documents [05/Mar/2024:09:41:03 +0000] 203.0.113.80 - 7B4A0FABBEXAMPLE REST.GET.OBJECT cases/7782/report.pdf "GET /cases/7782/report.pdf HTTP/1.1" 403 AccessDenied 243 - 9 - "-" "curl/8.5.0" - Ho9ZLx0Yr0lVrl5p3HmMAxkiD3KFXKMwTAEkXl0V5HoEtDZy9ts0eMWPLPoZLJfpnJXh9a4Wf8w= - - - portal-documents.s3.eu-west-1.amazonaws.com - - - eu-west-1',
  ],
  rejects: [
    { line: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be portal-documents [06/Mar/2024:00:00:38 +0000] - AmazonS3 3E57427F3EXAMPLE S3.EXPIRE.OBJECT cases/1/old.pdf "-" - - - - - - "-" "-" - - - - - - - - -', reason: /S3\.EXPIRE\.OBJECT is done by S3 itself/ },
    { line: S3_GET.replace('[05/Mar/2024:09:40:12 +0000]', '[05/Mar/2024 09:40:12 +0000]'), reason: /is not dd\/Mon\/yyyy/ },
    { line: `x ${S3_GET}`, reason: /expected 2 fields \(bucket owner, bucket\) before \[time\], found 3/ },
    { line: S3_GET.replace(' 200 - 48211 ', ' OK - 48211 '), reason: /status 'OK' is not a 3-digit code/ },
    { line: 'random text', reason: /no \[time\] field/ },
  ],
  sniff: (line) => S3_RE.test(line),
  read: (_ctx: FormatContext) => s3Read(),
};
