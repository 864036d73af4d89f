import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store, type Row } from '../../src/db/store.js';
import { compileDefinition, type FormatDefinition } from '../../src/formats/defined.js';
import { formatSql, PARSED_COLUMNS } from '../../src/formats/format.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, makeCase, runCli, tempDir } from '../helpers.js';

let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

async function parse(def: FormatDefinition, lines: readonly string[], timezone?: string): Promise<Row[]> {
  const { format, problems } = compileDefinition(def);
  assert.deepEqual(problems, []);
  await store.run('CREATE OR REPLACE TEMP TABLE lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: [...lines] });
  const rows = await store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(format, { timezone, fields: {} })}) ORDER BY line_no`);
  return rows.map((r) => ({ ...r, time: r.time instanceof Date ? r.time.toISOString() : (r.time ?? null) }));
}

const NGINX_MAIN_PLUS: FormatDefinition = {
  server: 'nginx',
  text: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_id',
};

describe('formats from the server definition', () => {
  test('when an nginx log_format with forwarded-for and request id reads a line then every field lands, \\x22 decoded', async () => {
    const [r] = await parse(NGINX_MAIN_PLUS, [
      String.raw`10.0.0.2 - M104233 [16/Mar/2015:10:02:11 +0100] "GET /t/IT1/image?x=\x22y\x22 HTTP/1.1" 200 48211 "https://t.example/" "Mozilla/5.0 (X11)" "198.51.100.1, 10.0.0.9" 5f1a9c`,
    ]);
    assert.deepEqual(
      [r!.time, r!.client_ip, r!.account, r!.method, r!.path, r!.protocol, r!.status, r!.bytes, r!.referer, r!.user_agent, r!.forwarded_for, r!.request_id, r!.reject_reason],
      ['2015-03-16T09:02:11.000Z', '10.0.0.2', 'M104233', 'GET', '/t/IT1/image?x="y"', 'HTTP/1.1', 200, 48211, 'https://t.example/', 'Mozilla/5.0 (X11)', '198.51.100.1, 10.0.0.9', '5f1a9c', null],
    );
  });

  test('when a line does not fit the definition then it is rejected saying so, and "-" fields are absent', async () => {
    const rows = await parse(NGINX_MAIN_PLUS, ['10.0.0.5 - - [16/Mar/2015:10:02:12 +0000] "GET /a HTTP/1.1" 404 0 "-" "curl/8" "-" -', '10.0.0.5 - - [16/Mar/2015:10:02:12 +0000] "GET /a HTTP/1.1" 404']);
    assert.deepEqual([rows[0]!.account, rows[0]!.referer, rows[0]!.forwarded_for, rows[0]!.request_id, rows[0]!.reject_reason], [null, null, null, null, null]);
    assert.equal(rows[1]!.reject_reason, 'does not match the nginx format definition in the case file');
  });

  test("when an Apache LogFormat (pasted with the config's \\\" escapes) has %{X-Forwarded-For}i, %{UNIQUE_ID}e and %D then they are read", async () => {
    const def: FormatDefinition = { server: 'apache', text: String.raw`%v:%p %a %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" \"%{X-Forwarded-For}i\" %{UNIQUE_ID}e %D` };
    const [r] = await parse(def, [String.raw`tickets.example:443 10.0.0.2 - - [16/Mar/2015:10:02:11 +0000] "GET /evidence.aspx?pcn=IT2 HTTP/1.1" 200 - "-" "Mozilla \"q\"" "203.0.113.9" YQx2@38AAQEAAH 1532`]);
    assert.deepEqual(
      [r!.vhost, r!.client_ip, r!.path, r!.status, r!.bytes, r!.user_agent, r!.forwarded_for, r!.request_id, r!.reject_reason],
      ['tickets.example', '10.0.0.2', '/evidence.aspx?pcn=IT2', 200, null, 'Mozilla "q"', '203.0.113.9', 'YQx2@38AAQEAAH', null],
    );
  });

  test('when an Apache %{format}t has no offset then the source timezone reads it, and without one the line says to set it', async () => {
    const def: FormatDefinition = { server: 'apache', text: '%h [%{%Y-%m-%d %H:%M:%S}t] %m %U%q %>s' };
    const line = '192.0.2.1 [2015-03-30 10:00:00] GET /doc?id=7 200';
    const [london] = await parse(def, [line], 'Europe/London');
    assert.deepEqual([london!.time, london!.method, london!.path], ['2015-03-30T09:00:00.000Z', 'GET', '/doc?id=7']);
    const [none] = await parse(def, [line]);
    assert.equal(none!.reject_reason, 'the time format has no offset: set timezone: on this source');
  });

  test('when a definition logs a session cookie then it is the session', async () => {
    const [a] = await parse({ server: 'apache', text: '%h %t "%r" %>s %{JSESSIONID}C' }, ['192.0.2.1 [16/Mar/2015:10:02:11 +0000] "GET /x HTTP/1.1" 200 8F3A']);
    const [n] = await parse({ server: 'nginx', text: '$remote_addr [$time_local] "$request" $status $cookie_sessionid' }, ['192.0.2.1 [16/Mar/2015:10:02:11 +0000] "GET /x HTTP/1.1" 200 s-77']);
    assert.deepEqual([a!.session, n!.session], ['8F3A', 's-77']);
  });

  test('when nginx logs $time_iso8601 and $msec then both read exactly', async () => {
    const [iso] = await parse({ server: 'nginx', text: '$time_iso8601 $remote_addr $request_method $request_uri $status' }, ['2015-03-16T10:02:11+01:00 192.0.2.1 GET /x 200']);
    assert.equal(iso!.time, '2015-03-16T09:02:11.000Z');
    const [ms] = await parse({ server: 'nginx', text: '$msec $remote_addr "$request" $status' }, ['1426500131.250 192.0.2.1 "GET /x HTTP/1.1" 200']);
    assert.equal(ms!.time, '2015-03-16T10:02:11.250Z');
  });

  test('when a definition has no time or no request then it says which variable to add', () => {
    assert.deepEqual(compileDefinition({ server: 'nginx', text: '$remote_addr "$request" $status' }).problems, ['it has no time variable: add $time_local, $time_iso8601 or $msec']);
    assert.deepEqual(compileDefinition({ server: 'apache', text: '%h %t %>s' }).problems, ['it has no request: add "%r", or %m and %U%q']);
  });

  test('when a case file gives a definition then ingest reads the file with it, and a broken one is exit 2 naming the key', () => {
    const yaml = (format: string) => `case: c\nsources:\n  - name: web\n    path: a.log\n    format: ${format}\n`;
    const files = { 'a.log': '192.0.2.1 [16/Mar/2015:10:02:11 +0000] "GET /x HTTP/1.1" 200\n' };
    const ok = runCli(['ingest', makeCase(yaml(`{nginx: '$remote_addr [$time_local] "$request" $status'}`), files), '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const rep = (JSON.parse(ok.stdout) as { files: { format: string; events: number; rejected: number }[] }).files[0]!;
    assert.deepEqual([rep.format, rep.events, rep.rejected], ['nginx_format', 1, 0]);

    const bad = runCli(['ingest', makeCase(yaml(`{nginx: '$remote_addr "$request" $status'}`), files)]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /sources\[0\]\.format\.nginx: this nginx format cannot be read: it has no time variable/);
    const typo = runCli(['ingest', makeCase(yaml('combnied'), files)]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /'combnied' is not a format: did you mean 'combined'\?/);
    const server = runCli(['ingest', makeCase(yaml(`{ngnix: '$remote_addr'}`), files)]);
    assert.equal(server.code, 2);
    assert.match(server.stderr, /one key, nginx or apache/);
  });

  test('when the NPMplus proxy-host file is read with its nginx log_format then its 4 lines of that shape are events and the 2 Nginx Proxy Manager lines are rejected', { skip: existsSync(CORPUS) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
    // Lines 1-4: [time] host addr request_time "request" status body_bytes request_length referer user-agent (unquoted, to the end).
    // Lines 5-6 are NPM's proxy-host shape ('[time] - 404 200 - GET http host "/uri" [Client ip] ...'): another log_format.
    const file = path.join(CORPUS, 'nginx-proxy-manager/crowdsec__nginx_http-catch-npm.log');
    const def = '[$time_local] $host $remote_addr $request_time "$request" $status $body_bytes_sent $request_length $http_referer $http_user_agent';
    const r = runCli(['ingest', makeCase(`case: c\nsources:\n  - name: npm\n    path: ${JSON.stringify(file)}\n    format: {nginx: '${def}'}\n`), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = (JSON.parse(r.stdout) as { files: { events: number; rejected: number; reject_examples: { line: number }[] }[] }).files[0]!;
    assert.deepEqual([rep.events, rep.rejected, rep.reject_examples.map((e) => e.line)], [4, 2, [5, 6]]);
  });
});
