import { clfRead, ncsaAuto, Q, TIME } from './clf.js';
import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';
import { jsonObject, jsonPath, jsonTimeCtes, missingZoneSql, TOO_BIG } from './jsonl.js';
import { bytesOf, hostOf, statusOf, text, xffList } from './sql-pieces.js';

/*
 * Readers for reverse proxies and CDNs whose access logs have a fixed shape of their own: Caddy,
 * Traefik (JSON and CLF) and Cloudflare Logpush (HAProxy: haproxy.ts). The JSON ones read named keys
 * through jsonl's one-pass extraction; Traefik CLF is the NCSA reader.
 * Each says, for a line that is not a request (a Caddy debug record, a Traefik plugin message,
 * a HAProxy startup or TLS-handshake line), that it is not one.
 */

/** JSON paths read per line, by name; `at(name)` is the extracted text (NULL when absent). */
function jsonKeys<K extends string>(keys: Record<K, string>): { paths: string[]; at: (k: K) => string } {
  const names = Object.keys(keys) as K[];
  return { paths: names.map((k) => keys[k]), at: (k) => `v[${names.indexOf(k) + 1}]` };
}

/** The whole line when it is a JSON object, '{}' otherwise (DuckDB may evaluate both arms of a CASE; try: a line that is not JSON). */
const OBJ = `CASE WHEN ok THEN doc ELSE '{}' END`;

/** The time's rejects: no offset and no zone to read it in, or not a time. */
function timeRejects(field: string, ctx: FormatContext, forms: string): [string, string][] {
  return [
    [missingZoneSql(ctx.timezone), `'${field} ''' || t_text || ''' has no UTC offset and the source has no timezone: set timezone: on this source'`],
    ['time IS NULL', `'${field} ' || t_text || ' is not ${forms}'`],
  ];
}

// ---------------------------------------------------------------- Caddy

const header = (name: string) => `${jsonPath(`request.headers.${name}`)}[0]`;

function caddyRead(ctx: FormatContext): ColumnMap {
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
  return {
    ctes: `${jsonTimeCtes(k.paths, [jsonPath('ts')], ctx)}, c AS (
  SELECT *, ${socket} AS socket,
    -- Go canonicalises header names, so X-Forwarded-For is spelt one way; each value is one header line.
    ${xffList(`array_to_string(json_extract_string(${OBJ}, '${jsonPath('request.headers.X-Forwarded-For')}[*]'), ',')`)} AS xff
  FROM json_time
)`,
    from: 'c',
    columns: {
      time: 'time',
      client_ip: 'socket',
      // client_ip differs from remote_ip when Caddy took it from a trusted proxy's header.
      forwarded_for: `coalesce(xff, CASE WHEN ${k.at('clientIp')} <> socket THEN ${k.at('clientIp')} END)`,
      vhost: k.at('host'),
      method: k.at('method'),
      path: k.at('uri'),
      protocol: k.at('proto'),
      status: statusOf(k.at('status')),
      bytes: bytesOf(k.at('size')),
      user_agent: text(k.at('ua')),
      referer: text(k.at('referer')),
      account: text(k.at('user')),
      request_id: text(k.at('requestId')),
    },
    rejectWhen: [
      TOO_BIG,
      ['NOT ok', `'not a JSON object: not a Caddy log record'`],
      [
        `NOT starts_with(coalesce(${k.at('logger')}, ''), 'http.log.access')`,
        `'Caddy logger ' || coalesce('''' || ${k.at('logger')} || '''', '(none)') || ' is not an access logger: only http.log.access records are requests'`,
      ],
      [`${k.at('method')} IS NULL`, `'no request.method: not a Caddy access record'`],
      ['tj IS NULL', `'no ts field'`],
      ...timeRejects('ts', ctx, 'epoch seconds or ISO 8601'),
    ],
  };
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
  read: caddyRead,
};

// ---------------------------------------------------------------- Traefik JSON

function traefikJsonRead(ctx: FormatContext): ColumnMap {
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
  return {
    ctes: `${jsonTimeCtes(k.paths, [jsonPath('StartUTC'), jsonPath('StartLocal'), jsonPath('time')], ctx)}, c AS (
  SELECT *, ${hostOf(k.at('addr'))} AS socket FROM json_time
)`,
    from: 'c',
    columns: {
      time: 'time',
      client_ip: `coalesce(socket, ${k.at('host')})`,
      // Traefik logs the X-Forwarded-For header as ClientHost when the request has one.
      forwarded_for: xffList(`coalesce(${k.at('xff')}, CASE WHEN ${k.at('host')} <> socket THEN ${k.at('host')} END)`),
      vhost: `coalesce(${k.at('requestHost')}, ${k.at('requestAddr')})`,
      method: k.at('method'),
      path: k.at('path'),
      protocol: k.at('proto'),
      status: statusOf(k.at('status')),
      bytes: bytesOf(k.at('size')),
      user_agent: text(k.at('ua')),
      referer: text(k.at('referer')),
      account: text(k.at('user')),
      request_id: text(`coalesce(${k.at('requestId')}, ${k.at('requestId2')})`),
    },
    rejectWhen: [
      TOO_BIG,
      ['NOT ok', `'not a JSON object: not a Traefik access record'`],
      [`${k.at('method')} IS NULL AND ${k.at('addr')} IS NULL AND ${k.at('host')} IS NULL`, `'no RequestMethod or ClientAddr: a Traefik log message, not an access record'`],
      ['tj IS NULL', `'no StartUTC, StartLocal or time field'`],
      ...timeRejects('time', ctx, 'ISO 8601'),
    ],
  };
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
  read: traefikJsonRead,
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
  read: (_ctx: FormatContext) => clfRead({ names: 'Traefik CLF', format: 'traefik_clf', dashStatus: true, head: 'host' }),
};

export const traefikClf: LogFormat = { ...traefikClfStrict, auto: ncsaAuto(traefikClfStrict, { names: 'Traefik CLF', format: 'auto', dashStatus: true }, 'auto-host') };

// ---------------------------------------------------------------- Cloudflare

function cloudflareRead(ctx: FormatContext): ColumnMap {
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
  return {
    ctes: jsonTimeCtes(k.paths, [jsonPath('EdgeStartTimestamp'), jsonPath('EdgeEndTimestamp')], ctx),
    from: 'json_time',
    columns: {
      time: 'time',
      client_ip: text(k.at('ip')),
      vhost: text(k.at('host')),
      method: text(k.at('method')),
      // ClientRequestURI carries the query string; ClientRequestPath does not.
      path: text(`coalesce(${k.at('uri')}, ${k.at('path')})`),
      protocol: text(k.at('proto')),
      status: statusOf(k.at('status')),
      bytes: bytesOf(k.at('bytes')),
      user_agent: text(k.at('ua')),
      referer: text(k.at('referer')),
      request_id: text(k.at('ray')),
    },
    rejectWhen: [
      TOO_BIG,
      ['NOT ok', `'not a JSON object: not a Cloudflare Logpush record'`],
      [
        `${k.at('method')} IS NULL AND ${k.at('uri')} IS NULL AND ${k.at('path')} IS NULL`,
        `'no ClientRequestMethod, ClientRequestURI or ClientRequestPath: not a Cloudflare http_requests record'`,
      ],
      ['tj IS NULL', `'no EdgeStartTimestamp or EdgeEndTimestamp: add EdgeStartTimestamp to the Logpush job''s fields'`],
      ...timeRejects('EdgeStartTimestamp', ctx, 'RFC 3339 or Unix time (s, ms, ns)'),
    ],
  };
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
  read: cloudflareRead,
};
