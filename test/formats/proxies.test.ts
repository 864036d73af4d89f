import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Store, type Row } from '../../src/db/store.js';
import { formatSql, PARSED_COLUMNS, type LogFormat } from '../../src/formats/format.js';
import { haproxy } from '../../src/formats/haproxy.js';
import { caddy, cloudflare, traefikClf, traefikJson } from '../../src/formats/proxies.js';
import { sniffFormat } from '../../src/ingest/sniff.js';
import { analyzeJson, CORPUS, makeCase, tempDir } from '../helpers.js';

let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

/** Runs a format's SQL over the given lines exactly as ingest does (line numbers from 1). */
async function parse(format: LogFormat, lines: readonly string[], timezone?: string): Promise<Row[]> {
  await store.run('CREATE OR REPLACE TEMP TABLE lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: [...lines] });
  return store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(format, { timezone, fields: {} })}) ORDER BY line_no`);
}

const iso = (r: Row | undefined) => (r?.time instanceof Date ? r.time.toISOString() : r?.time);

/** The fields a test asserts, in one object so a failure shows them all. */
function pick(r: Row | undefined, keys: readonly (typeof PARSED_COLUMNS)[number][]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, k === 'time' ? iso(r) : r?.[k]]));
}

// Real lines from ../shared/corpus/real-logs (file names in SOURCES.md), copied so these tests run without it.
const CADDY_LNAV_1 = `{"level":"info","ts":1716723772.6014807,"logger":"http.log.access.log17","msg":"handled request","request":{"remote_ip":"10.5.1.1","remote_port":"38574","client_ip":"10.10.10.117","proto":"HTTP/2.0","method":"GET","host":"mirrors.tnonline.net:400","uri":"/gentoo/gentoo-distfiles/distfiles/9b/tl-hrlatex.source-2021.tar.xz","headers":{"Accept":["*/*"],"User-Agent":["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"],"X-Forwarded-For":["10.10.10.117"],"X-Forwarded-Proto":["https"],"X-Forwarded-Host":["mirrors.tnonline.net"],"Accept-Encoding":["gzip"]}},"bytes_read":0,"user_id":"","duration":0.017557019,"size":3768,"status":200,"resp_headers":{"Server":["Caddy"]}}`;
const CADDY_LNAV_4 = `{"level":"info","ts":1716732963.4146512,"logger":"http.log.access.log16","msg":"handled request","request":{"remote_ip":"240e:1:1::1234","remote_port":"62769","client_ip":"240e:1:1::1234","proto":"HTTP/3.0","method":"GET","host":"mirrors.tnonline.net","uri":"/res/browse.css","headers":{"Referer":["https://mirrors.tnonline.net/gentoo/gentoo-portage/app-dicts/aspell-lt/"],"User-Agent":["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/117.0.5938.60 Safari/537.36"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,"proto":"h3","server_name":"mirrors.tnonline.net"}},"bytes_read":0,"user_id":"","duration":0.000275783,"size":1577,"status":200}`;
const CADDY_CROWDSEC_1 = `{"level":"info","ts":1693840791.7564995,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"172.17.0.1","remote_port":"44790","client_ip":"127.0.0.1","proto":"HTTP/1.0","method":"GET","host":"127.0.0.1:8080","uri":"/","headers":{"X-Forwarded-Port":["80"],"X-Real-Ip":["127.0.0.1"],"Forwarded":["for=127.0.0.1"],"X-Forwarded-Host":["127.0.0.1"],"User-Agent":["curl/7.74.0"],"Accept":["*/*"],"Connection":["close"],"X-Forwarded-For":["127.0.0.1"],"X-Forwarded-Proto":["http"]}},"bytes_read":0,"user_id":"","duration":0.000002701,"size":0,"status":0,"resp_headers":{"Server":["Caddy"]}}`;
const CADDY_CROWDSEC_10 = `{"level":"info","ts":1711741864.947103,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"43498","client_ip":"127.0.0.1","proto":"HTTP/1.1","method":"GET","host":"localhost:9080","uri":"/","headers":{"Authorization":[],"User-Agent":["curl/7.88.1"],"Accept":["*/*"]}},"bytes_read":0,"user_id":"Bob","duration":0.794682124,"size":18630,"status":200,"resp_headers":{"Content-Length":["18630"],"Server":["Caddy"],"Etag":["\\"s5bnz3edi\\""]}}`;
const CADDY_CROWDSEC_11 = `{"level":"debug","ts":1742400753.0547564,"logger":"http.handlers.reverse_proxy","msg":"selected upstream","dial":"immich_server:2283","total_upstreams":1}`;

const TRAEFIK_JSON_5 = `{"ClientAddr":"192.168.1.115:56446","ClientHost":"192.168.1.115","ClientPort":"56446","ClientUsername":"-","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":10158,"GzipRatio":0,"OriginContentSize":0,"OriginDuration":0,"OriginStatus":0,"Overhead":10158,"RequestAddr":"admin.mydomain.com","RequestContentSize":0,"RequestCount":3100,"RequestHost":"admin.mydomain.com","RequestMethod":"GET","RequestPath":"/","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"StartLocal":"2026-01-14T10:45:33.759014877+01:00","StartUTC":"2026-01-14T09:45:33.759014877Z","TLSCipher":"TLS_AES_128_GCM_SHA256","TLSVersion":"1.3","entryPointName":"https","level":"info","msg":"","time":"2026-01-14T10:45:33+01:00"}`;
const TRAEFIK_JSON_6 = 'DEBUG: CrowdsecBouncerTraefikPlugin: 2025/09/05 13:53:40 handleStreamCache:updated';
const TRAEFIK_JSON_7 = `{"ClientAddr":"172.71.122.85:11029","ClientHost":"192.168.1.100,10.0.0.50","ClientPort":"11029","ClientUsername":"-","DownstreamContentSize":0,"DownstreamStatus":204,"Duration":2337877,"OriginContentSize":0,"OriginDuration":823492,"OriginStatus":0,"Overhead":1514385,"RequestAddr":"example.com","RequestContentSize":0,"RequestCount":2818,"RequestHost":"example.com","RequestMethod":"OPTIONS","RequestPath":"/_matrix/client/v3/sync","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"matrix-synapse-public-client-api@docker","ServiceAddr":"172.16.16.25:8008","ServiceName":"matrix-synapse-client-api@docker","ServiceURL":"http://172.16.16.25:8008","StartLocal":"2025-11-28T09:21:55.645779561Z","StartUTC":"2025-11-28T09:21:55.645779561Z","TLSCipher":"TLS_AES_128_GCM_SHA256","TLSVersion":"1.3","entryPointName":"web-secure","level":"info","msg":"","time":"2025-11-28T09:21:55Z"}`;
const TRAEFIK_JSON_MATOMO = `{"ClientAddr": "172.20.0.1:52458","ClientHost": "1.2.3.4","ClientPort":"52458","ClientUsername":"-","request_User-Agent":"Prometheus/2.40.5","request_Referer":"www.example.com","DownstreamContentSize":15,"DownstreamStatus":"200","Duration":10002425284,"OriginContentSize":15,"OriginDuration":10002302842,"OriginStatus":504,"Overhead":122442,"RequestAddr":"localhost","RequestContentSize":0,"RequestCount":1,"RequestHost":"localhost","RequestMethod":"GET","RequestPath":"/my/app/auth?id=1234&user=dude","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"RouterName":"my-router@file","ServiceAddr":"apache:80","ServiceName":"my-service@file","StartLocal":"2023-08-11T11:39:21.773360139Z","StartUTC":"2023-08-11T11:39:21.773360139Z","entryPointName":"http","level":"info","msg":"","time":"2023-08-11T11:41:25"}`;

const TRAEFIK_CLF_MATOMO = '1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] "POST / HTTP/2.0" 301 368 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11" 3180 "www.example.com" "http://172.19.0.4:80" 29ms';
const TRAEFIK_CLF_DASHES = '172.17.1.1 - - [28/Sep/2022:13:38:04 +0000] "GET /mobileadmin/home.cs HTTP/1.1" - - "-" "Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:006607)" 45640 "-" "-" 0ms';
const TRAEFIK_CLF_UNBALANCED = '85.181.35.98 - - [02/Oct/2017:20:22:08 +0000] "GET /ui/favicons/favicon.ico HTTP/1.1" 304 0 "http://example.com/login" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36" 271 "Host-host1 "http://172.19.0.3:5601" 3ms';

const HAPROXY_BEATS_1 = 'Jul 30 09:03:52 localhost haproxy[32450]: 1.2.3.4:38862 [30/Jul/2018:09:03:52.726] incoming~ docs_microservice/docs 0/0/1/0/2 304 168 - - ---- 6/6/0/0/0 0/0 {docs.example.internal||} {|||} "GET /component---src-pages-index-js-4b15624544f97cf0bb8f.js HTTP/1.1"';
const HAPROXY_BEATS_2 = 'May 22 02:22:22 server1 haproxy[5089]: -:22222 [22/May/2021:02:22:22.222] www-https~ myapp/node2 site.domain.com 0/0/0/18/18 200 200 - - ---- 222/222/2/0/0 0/0 "OPTIONS /api/v2/app/ HTTP/1.1"';
const HAPROXY_LNAV_1 = 'Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started.';
const HAPROXY_LNAV_4 = 'Feb 25 16:19:49 192.168.4.2 haproxy[7]: 141.35.244.171:53332 [25/Feb/2019:16:19:48.143] prod_http_in~ bk_admin/nginx_sonst 0/0/7/1457/1487 200 11394 - - ---- 2/1/0/0/0 0/0 {Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:65.0) Gecko/20100101 Firefox/65.0} {} "GET /admin/colt/administration?survey=130&input_stats=1&ajax=1&&ajax=1&refresh=1&ihandle=1 HTTP/1.1"';
const HAPROXY_NO_HEADERS_3 = 'Dec 10 15:48:56 voyager haproxy[7873]: 127.0.0.1:44542 [10/Dec/2018:15:48:56.017] http-webservices http-webservices/<NOSRV> 0/-1/-1/-1/0 503 213 - - SC-- 1/1/0/0/0 0/0 {localhost:8888||} {|} "GET /foo HTTP/1.1"';
const HAPROXY_CROWDSEC_1 = '117.136.40.129:14853 [14/Jan/2015:12:48:57.127] https-in~ xx_server_https/xxx_node_8002 170/0/0/3/173 200 739 - - --NN 0/0/0/0/0 0/0 "GET /xxx/xxx HTTP/1.1"';
const HAPROXY_CROWDSEC_3 = '192.168.1.4:50033 [28/Feb/2025:02:43:10.123] frontend/backend: SSL handshake failure (error:0A0000C1:SSL routines::no shared cipher)';
const HAPROXY_NEXTCLOUD = 'Apr  4 14:30:19 hap-1 haproxy[3946303]: 192.168.1.1:55032 [04/Apr/2024:14:30:18.885] front_https~ back_nextcloud/web.domain.sh 0/0/0/169/169 404 1541 - - ---- 5715/616/96/15/0 0/0 "PROPFIND /remote.php/webdav/User/Name/Backup/Free%20Studio/domain.com/05-07-2023/Wordpress/analytics-matomo/plugins/Events/lang/hu.json HTTP/1.1"';

const CLOUDFLARE_5 = `{"ClientIP":"192.0.2.88","ClientRequestHost":"www.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/admin/config.php","ClientRequestUserAgent":"python-requests/2.31.0","ClientRequestReferer":"","EdgeEndTimestamp":1712790004600000000,"EdgeResponseBytes":178,"EdgeResponseStatus":403,"EdgeStartTimestamp":1712790004590000000,"RayID":"87a1b2c3d4e5f005","CacheCacheStatus":"dynamic","CacheResponseStatus":403,"ClientCountry":"CN","ClientRequestProtocol":"HTTP/1.1","EdgeColoCode":"HKG","WAFAction":"block","WAFRuleID":"100015","FirewallMatchesActions":["block"],"FirewallMatchesRuleIDs":["100015"]}`;
const CLOUDFLARE_RIPE = `{"ClientIP":"87.226.160.250","ClientRequestHost":"www.ripe.net","ClientRequestMethod":"HEAD","ClientRequestURI":"/","EdgeEndTimestamp":"2022-10-30T00:00:02Z","EdgeResponseBytes":570,"EdgeResponseStatus":301,"EdgeStartTimestamp":"2022-10-30T00:00:02Z","RayID":"761fde4e984e5ab2","CacheCacheStatus":"unknown","ClientRequestPath":"/","ClientRequestProtocol":"HTTP/1.1","ClientRequestUserAgent":"","ClientRequestReferer":"","ClientRequestScheme":"http","ClientRequestSource":"eyeball"}`;

describe('caddy fields', () => {
  test('when Caddy resolved client_ip from a trusted proxy then the socket is client_ip and X-Forwarded-For is forwarded_for', async () => {
    const [r] = await parse(caddy, [CADDY_LNAV_1]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes', 'user_agent', 'referer', 'account', 'reject_reason']), {
      time: '2024-05-26T11:42:52.601Z',
      client_ip: '10.5.1.1',
      forwarded_for: '10.10.10.117',
      vhost: 'mirrors.tnonline.net:400',
      method: 'GET',
      path: '/gentoo/gentoo-distfiles/distfiles/9b/tl-hrlatex.source-2021.tar.xz',
      protocol: 'HTTP/2.0',
      status: 200,
      bytes: 3768,
      user_agent: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      referer: null,
      account: null,
      reject_reason: null,
    });
  });

  test('when the client is IPv6 over HTTP/3 with a Referer header then each lands in its field', async () => {
    const [r] = await parse(caddy, [CADDY_LNAV_4]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'protocol', 'referer', 'bytes']), {
      time: '2024-05-26T14:16:03.414Z',
      client_ip: '240e:1:1::1234',
      forwarded_for: null,
      protocol: 'HTTP/3.0',
      referer: 'https://mirrors.tnonline.net/gentoo/gentoo-portage/app-dicts/aspell-lt/',
      bytes: 1577,
    });
  });

  test('when basic auth let a user in then user_id is the account', async () => {
    const [r] = await parse(caddy, [CADDY_CROWDSEC_10]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'account', 'status', 'bytes', 'user_agent']), {
      time: '2024-03-29T19:51:04.947Z',
      client_ip: '127.0.0.1',
      account: 'Bob',
      status: 200,
      bytes: 18630,
      user_agent: 'curl/7.88.1',
    });
  });

  test('when Caddy logs status 0 then the event has no status and an empty user_id is no account', async () => {
    const [r] = await parse(caddy, [CADDY_CROWDSEC_1]);
    assert.deepEqual(pick(r, ['time', 'status', 'bytes', 'account', 'forwarded_for', 'reject_reason']), {
      time: '2023-09-04T15:19:51.756Z',
      status: null,
      bytes: 0,
      account: null,
      forwarded_for: '127.0.0.1',
      reject_reason: null,
    });
  });

  test('when Caddy took client_ip from a header other than X-Forwarded-For then client_ip is the forwarded-for entry', async () => {
    const [r] = await parse(caddy, ['{"ts":1716723772.5,"logger":"http.log.access","request":{"remote_ip":"10.5.1.1","client_ip":"203.0.113.9","method":"GET","uri":"/","headers":{"Cf-Connecting-Ip":["203.0.113.9"]}},"status":200,"size":1}']);
    assert.deepEqual(pick(r, ['client_ip', 'forwarded_for']), { client_ip: '10.5.1.1', forwarded_for: '203.0.113.9' });
  });

  test('when a record comes from another Caddy logger then it is rejected as not an access record', async () => {
    const [r] = await parse(caddy, [CADDY_CROWDSEC_11]);
    assert.equal(r!.reject_reason, "Caddy logger 'http.handlers.reverse_proxy' is not an access logger: only http.log.access records are requests");
  });

  test('when an old Caddy logs remote_addr with a port and ISO ts then the address loses its port and the request id comes from X-Request-Id', async () => {
    const [r] = await parse(caddy, [caddy.samples[1]!]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'path', 'request_id']), {
      time: '2024-05-26T11:22:43.414Z',
      client_ip: '2001:db8::1',
      forwarded_for: '198.51.100.7',
      path: '/a?b=1',
      request_id: 'r-1',
    });
  });
});

describe('traefik_json fields', () => {
  test('when ClientHost holds an X-Forwarded-For list then it is forwarded_for and ClientAddr without its port is client_ip', async () => {
    const [r] = await parse(traefikJson, [TRAEFIK_JSON_7]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes', 'account']), {
      time: '2025-11-28T09:21:55.645Z',
      client_ip: '172.71.122.85',
      forwarded_for: '192.168.1.100,10.0.0.50',
      vhost: 'example.com',
      method: 'OPTIONS',
      path: '/_matrix/client/v3/sync',
      protocol: 'HTTP/2.0',
      status: 204,
      bytes: 0,
      account: null,
    });
  });

  test('when StartLocal has an offset then the time is StartUTC, exact', async () => {
    const [r] = await parse(traefikJson, [TRAEFIK_JSON_5]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'status', 'bytes']), {
      time: '2026-01-14T09:45:33.759Z',
      client_ip: '192.168.1.115',
      forwarded_for: null,
      status: 404,
      bytes: 19,
    });
  });

  test('when status is a string and headers are logged then user agent, referer and the query are read', async () => {
    const [r] = await parse(traefikJson, [TRAEFIK_JSON_MATOMO]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'forwarded_for', 'path', 'status', 'user_agent', 'referer']), {
      time: '2023-08-11T11:39:21.773Z',
      client_ip: '172.20.0.1',
      forwarded_for: '1.2.3.4',
      path: '/my/app/auth?id=1234&user=dude',
      status: 200,
      user_agent: 'Prometheus/2.40.5',
      referer: 'www.example.com',
    });
  });

  test('when a user authenticated and X-Request-Id is logged then they are account and request_id', async () => {
    const [r] = await parse(traefikJson, ['{"ClientAddr":"[2001:db8::7]:443","ClientHost":"2001:db8::7","ClientUsername":"alice","DownstreamStatus":200,"DownstreamContentSize":10,"RequestMethod":"GET","RequestPath":"/d/1","StartUTC":"2024-01-01T00:00:00Z","request_X-Request-Id":"abc-1"}']);
    assert.deepEqual(pick(r, ['client_ip', 'forwarded_for', 'account', 'request_id']), { client_ip: '2001:db8::7', forwarded_for: null, account: 'alice', request_id: 'abc-1' });
  });

  test('when a plugin writes a plain-text line into the access log then it is rejected as not JSON', async () => {
    const [r] = await parse(traefikJson, [TRAEFIK_JSON_6]);
    assert.equal(r!.reject_reason, 'not a JSON object: not a Traefik access record');
  });
});

describe('traefik_clf fields', () => {
  test('when a Traefik CLF line has a user and HTTP/2.0 then the combined fields are read and the offset applied', async () => {
    const [r] = await parse(traefikClf, [TRAEFIK_CLF_MATOMO]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'account', 'method', 'path', 'protocol', 'status', 'bytes', 'referer', 'reject_reason']), {
      time: '2012-02-10T21:42:07.000Z',
      client_ip: '1.2.3.4',
      account: 'theuser',
      method: 'POST',
      path: '/',
      protocol: 'HTTP/2.0',
      status: 301,
      bytes: 368,
      referer: null,
      reject_reason: null,
    });
  });

  test('when status and size are - - then the request is an event with neither', async () => {
    const [r] = await parse(traefikClf, [TRAEFIK_CLF_DASHES]);
    assert.deepEqual(pick(r, ['time', 'status', 'bytes', 'user_agent', 'reject_reason']), {
      time: '2022-09-28T13:38:04.000Z',
      status: null,
      bytes: null,
      user_agent: 'Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:006607)',
      reject_reason: null,
    });
  });

  test('when the router name has an unbalanced quote then the request before it is still read', async () => {
    const [r] = await parse(traefikClf, [TRAEFIK_CLF_UNBALANCED]);
    assert.deepEqual(pick(r, ['client_ip', 'path', 'status', 'bytes', 'referer', 'reject_reason']), {
      client_ip: '85.181.35.98',
      path: '/ui/favicons/favicon.ico',
      status: 304,
      bytes: 0,
      referer: 'http://example.com/login',
      reject_reason: null,
    });
  });

  test('when the combined reader reads a status of - then it still rejects it (Traefik only allows it)', async () => {
    const { combined } = await import('../../src/formats/clf.js');
    const [r] = await parse(combined, [TRAEFIK_CLF_DASHES]);
    assert.match(String(r!.reject_reason), /status '-' is not a 3-digit code/);
  });
});

describe('haproxy fields', () => {
  test('when the source has a timezone then accept dates are read in it, DST-aware', async () => {
    const rows = await parse(haproxy, [HAPROXY_BEATS_1, HAPROXY_LNAV_4, HAPROXY_CROWDSEC_1], 'Europe/Berlin');
    assert.deepEqual(rows.map(iso), ['2018-07-30T07:03:52.726Z', '2019-02-25T15:19:48.143Z', '2015-01-14T11:48:57.127Z']);
  });

  test('when a line has a syslog header and captured headers then client, request, status and bytes are read', async () => {
    const [r] = await parse(haproxy, [HAPROXY_BEATS_1], 'UTC');
    assert.deepEqual(pick(r, ['time', 'client_ip', 'method', 'path', 'protocol', 'status', 'bytes', 'user_agent', 'request_id', 'reject_reason']), {
      time: '2018-07-30T09:03:52.726Z',
      client_ip: '1.2.3.4',
      method: 'GET',
      path: '/component---src-pages-index-js-4b15624544f97cf0bb8f.js',
      protocol: 'HTTP/1.1',
      status: 304,
      bytes: 168,
      user_agent: null,
      request_id: null,
      reject_reason: null,
    });
  });

  test('when a captured header holds spaces then the request after it is still found', async () => {
    const [r] = await parse(haproxy, [HAPROXY_LNAV_4], 'UTC');
    assert.deepEqual(pick(r, ['client_ip', 'path', 'status', 'bytes']), {
      client_ip: '141.35.244.171',
      path: '/admin/colt/administration?survey=130&input_stats=1&ajax=1&&ajax=1&refresh=1&ihandle=1',
      status: 200,
      bytes: 11394,
    });
  });

  test('when the client is -:port and a custom field follows backend/server then the event has no client and the rest is read', async () => {
    const [r] = await parse(haproxy, [HAPROXY_BEATS_2], 'UTC');
    assert.deepEqual(pick(r, ['time', 'client_ip', 'method', 'path', 'status', 'bytes', 'reject_reason']), {
      time: '2021-05-22T02:22:22.222Z',
      client_ip: null,
      method: 'OPTIONS',
      path: '/api/v2/app/',
      status: 200,
      bytes: 200,
      reject_reason: null,
    });
  });

  test('when no server was reached (<NOSRV>, -1 timers) and a capture block is {|} then the 503 is an event', async () => {
    const [r] = await parse(haproxy, [HAPROXY_NO_HEADERS_3, HAPROXY_NEXTCLOUD], 'UTC');
    assert.deepEqual(pick(r, ['client_ip', 'path', 'status', 'bytes']), { client_ip: '127.0.0.1', path: '/foo', status: 503, bytes: 213 });
  });

  test('when an RFC 3164 header has a double-spaced day then the line is read and the method is PROPFIND', async () => {
    const [, r] = await parse(haproxy, [HAPROXY_NO_HEADERS_3, HAPROXY_NEXTCLOUD], 'UTC');
    assert.deepEqual(pick(r, ['time', 'client_ip', 'method', 'status', 'bytes']), { time: '2024-04-04T14:30:18.885Z', client_ip: '192.168.1.1', method: 'PROPFIND', status: 404, bytes: 1541 });
  });

  test('when the source has no timezone then a line without an offset is rejected naming timezone:', async () => {
    const [r] = await parse(haproxy, [HAPROXY_CROWDSEC_1]);
    assert.equal(
      r!.reject_reason,
      'accept date [14/Jan/2015:12:48:57.127] has no UTC offset and the source has no timezone: set timezone: on this source to the zone of the HAProxy host (e.g. timezone: Europe/Berlin)',
    );
  });

  test('when an RFC 5424 header carries an offset then it places the accept date, unless the source has a timezone', async () => {
    const line = '<134>1 2018-07-30T09:03:52.800+02:00 lb haproxy 1 - - 1.2.3.4:1 [30/Jul/2018:09:03:52.726] fe be/s 0/0/1/0/2 200 5 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"';
    const [noZone] = await parse(haproxy, [line]);
    const [zone] = await parse(haproxy, [line], 'UTC');
    assert.deepEqual([iso(noZone), iso(zone)], ['2018-07-30T07:03:52.726Z', '2018-07-30T09:03:52.726Z']);
  });

  test('when %ID follows the request, bytes carry logasap + and status is -1 then request_id, bytes and a NULL status are read', async () => {
    const [r] = await parse(haproxy, ['10.0.0.1:1 [06/Feb/2009:12:14:14.655] fe be/s 0/0/1/-1/+2 -1 +2750 - - CD-- 1/1/0/0/0 0/0 "GET /d/7 HTTP/1.1" 0A000001:ABCD_0001'], 'UTC');
    assert.deepEqual(pick(r, ['status', 'bytes', 'request_id', 'reject_reason']), { status: null, bytes: 2750, request_id: '0A000001:ABCD_0001', reject_reason: null });
  });

  test('when lines are startup messages, TLS events or tcplog then each is rejected as not a request', async () => {
    const rows = await parse(haproxy, [HAPROXY_LNAV_1, HAPROXY_CROWDSEC_3, '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] tcp-in app/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0'], 'UTC');
    assert.deepEqual(
      rows.map((r) => r.reject_reason),
      [
        'no client:port [accept date]: a message, not an HAProxy request line: Proxy prod_http_in started.',
        'a connection event, not an HTTP request: frontend/backend: SSL handshake failure (error:0A0000C1:SSL routines::no shared cipher)',
        'a TCP-mode (tcplog) connection, not an HTTP request',
      ],
    );
  });
});

describe('cloudflare fields', () => {
  test('when EdgeStartTimestamp is Unix nanoseconds then the time is exact and RayID is the request id', async () => {
    const [r] = await parse(cloudflare, [CLOUDFLARE_5]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes', 'user_agent', 'referer', 'request_id', 'reject_reason']), {
      time: '2024-04-10T23:00:04.590Z',
      client_ip: '192.0.2.88',
      vhost: 'www.example.com',
      method: 'GET',
      path: '/admin/config.php',
      protocol: 'HTTP/1.1',
      status: 403,
      bytes: 178,
      user_agent: 'python-requests/2.31.0',
      referer: null,
      request_id: '87a1b2c3d4e5f005',
      reject_reason: null,
    });
  });

  test('when EdgeStartTimestamp is RFC 3339 and the user agent is empty then the time is read and the agent is NULL', async () => {
    const [r] = await parse(cloudflare, [CLOUDFLARE_RIPE]);
    assert.deepEqual(pick(r, ['time', 'client_ip', 'method', 'status', 'bytes', 'user_agent', 'request_id']), {
      time: '2022-10-30T00:00:02.000Z',
      client_ip: '87.226.160.250',
      method: 'HEAD',
      status: 301,
      bytes: 570,
      user_agent: null,
      request_id: '761fde4e984e5ab2',
    });
  });

  test('when Logpush writes Unix seconds or milliseconds then both are exact', async () => {
    const rows = await parse(cloudflare, [
      '{"ClientIP":"192.0.2.1","ClientRequestURI":"/a","EdgeStartTimestamp":1712790004}',
      '{"ClientIP":"192.0.2.1","ClientRequestURI":"/a","EdgeStartTimestamp":1712790004590}',
    ]);
    assert.deepEqual(rows.map(iso), ['2024-04-10T23:00:04.000Z', '2024-04-10T23:00:04.590Z']);
  });
});

describe('auto picks the proxy formats over the generic ones', () => {
  const cases: [string, string][] = [
    ['caddy', CADDY_CROWDSEC_10],
    ['traefik_json', TRAEFIK_JSON_7],
    ['traefik_clf', TRAEFIK_CLF_MATOMO],
    ['haproxy', HAPROXY_BEATS_1],
    ['cloudflare', CLOUDFLARE_5],
  ];
  for (const [name, line] of cases) {
    test(`when a ${name} line is sniffed then ${name} is chosen`, () => {
      const r = sniffFormat([line]);
      assert.ok(r.ok);
      assert.equal(r.format.name, name);
    });
  }

  test('when a plain combined line is sniffed then combined is still chosen, not traefik_clf', () => {
    const r = sniffFormat(['203.0.113.7 - - [16/Mar/2015:10:02:11 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"']);
    assert.ok(r.ok);
    assert.equal(r.format.name, 'combined');
  });

  test('when a Caddy file also holds a debug record then the record still counts as Caddy', () => {
    const r = sniffFormat([CADDY_CROWDSEC_11, CADDY_CROWDSEC_10]);
    assert.ok(r.ok);
    assert.equal(r.format.name, 'caddy');
  });
});

/*
 * Expected per file, found by reading every line (SOURCES.md and manifest.json give the line counts):
 *  - caddy-json/crowdsec__caddy-logs.log: 12 physical lines, 1 blank; line 11 is an
 *    http.handlers.reverse_proxy debug record; lines 1-7 are status-0 requests (events, no status)
 *  - traefik-json/crowdsec__traefik_json.log: line 6 is a plain-text CrowdSec bouncer plugin message
 *  - traefik-clf/beats__traefik-access__test.log: line 2's unbalanced quote is after the request: an event
 *  - traefik-clf/crowdsec__traefik_clf.log: 9 physical lines, 2 blank; line 7's '- -' status/size: an event
 *  - haproxy/beats__haproxy-log__httplog-no-headers.log: 4 physical lines, 1 blank
 *  - haproxy/crowdsec__haproxy-logs.log: lines 3-5 are TLS handshake/heartbeat events, not requests
 *  - haproxy/lnav__logfile_haproxy.0: lines 1-3 'Proxy ... started.', line 14 'SSL handshake failure'
 * HAProxy dates have no offset: the HAProxy source gets a timezone.
 */
const EXPECTED: Record<string, { format: string; lines: number; events: number; rejected: number }> = {
  'caddy-json/crowdsec__caddy-logs.log': { format: 'caddy', lines: 11, events: 10, rejected: 1 },
  'caddy-json/lnav__logfile_caddy_log.1': { format: 'caddy', lines: 4, events: 4, rejected: 0 },
  'caddy-json/matomo__caddy_json.log': { format: 'caddy', lines: 3, events: 3, rejected: 0 },
  'traefik-json/crowdsec__traefik_base-http-scenario.log': { format: 'traefik_json', lines: 80, events: 80, rejected: 0 },
  'traefik-json/crowdsec__traefik_json.log': { format: 'traefik_json', lines: 7, events: 6, rejected: 1 },
  'traefik-json/matomo__traefik_json.log': { format: 'traefik_json', lines: 1, events: 1, rejected: 0 },
  'traefik-clf/beats__traefik-access__test.log': { format: 'traefik_clf', lines: 2, events: 2, rejected: 0 },
  'traefik-clf/crowdsec__traefik_clf.log': { format: 'traefik_clf', lines: 7, events: 7, rejected: 0 },
  'traefik-clf/matomo__traefik.log': { format: 'traefik_clf', lines: 1, events: 1, rejected: 0 },
  'haproxy/beats__haproxy-log__haproxy.log': { format: 'haproxy', lines: 10, events: 10, rejected: 0 },
  'haproxy/beats__haproxy-log__httplog-no-headers.log': { format: 'haproxy', lines: 3, events: 3, rejected: 0 },
  'haproxy/crowdsec__haproxy-logs.log': { format: 'haproxy', lines: 5, events: 2, rejected: 3 },
  'haproxy/crowdsec__haproxy-nextcloud-whitelist.log': { format: 'haproxy', lines: 1, events: 1, rejected: 0 },
  'haproxy/lnav__logfile_haproxy.0': { format: 'haproxy', lines: 17, events: 13, rejected: 4 },
  'haproxy/matomo__haproxy.log': { format: 'haproxy', lines: 1, events: 1, rejected: 0 },
  'cloudflare-json/lnav__logfile_cloudflare.1': { format: 'cloudflare', lines: 15, events: 15, rejected: 0 },
  'cloudflare-json/lnav__logfile_cloudflare.json': { format: 'cloudflare', lines: 1, events: 1, rejected: 0 },
};

const FOLDERS = ['caddy-json', 'traefik-json', 'traefik-clf', 'haproxy', 'cloudflare-json'];

describe('proxy corpus (../shared/corpus/real-logs)', { skip: existsSync(CORPUS) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
  test('when every file of the five proxy folders is analysed with format auto then each gets its format and the known events and rejects', () => {
    const files = FOLDERS.flatMap((folder) => readdirSync(path.join(CORPUS, folder)).map((f) => `${folder}/${f}`));
    assert.deepEqual([...files].sort(), Object.keys(EXPECTED).sort(), 'every corpus file has an expected row');
    const sources = files.map((f, i) => `  - name: f${i}\n    path: ${JSON.stringify(path.join(CORPUS, f))}\n${f.startsWith('haproxy/') ? '    timezone: Europe/Berlin\n' : ''}`);
    const a = analyzeJson(makeCase(`case: proxies\nsources:\n${sources.join('')}`));
    const got = Object.fromEntries(
      a.ingest.files.map((rep) => {
        const rel = files.find((f) => rep.path.endsWith(f))!;
        return [rel, { format: rep.format, lines: rep.lines, events: rep.lines - rep.rejected, rejected: rep.rejected }];
      }),
    );
    assert.deepEqual(got, EXPECTED);
  });

  test('when the HAProxy folder has no timezone then lines without an offset are rejected, each saying to set timezone:', () => {
    const file = path.join(CORPUS, 'haproxy/matomo__haproxy.log');
    const r = analyzeJson(makeCase(`case: c\nsources:\n  - name: h\n    path: ${JSON.stringify(file)}\n`)) as unknown as {
      ingest: { files: { format: string; rejected: number; reject_examples: { reason: string }[] }[] };
    };
    const [rep] = r.ingest.files;
    assert.equal(rep!.format, 'haproxy');
    assert.equal(rep!.rejected, 1);
    assert.match(rep!.reject_examples[0]!.reason, /has no UTC offset and the source has no timezone: set timezone: on this source/);
  });
});
