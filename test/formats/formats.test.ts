import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store, type Row } from '../../src/db/store.js';
import { formatSql, PARSED_COLUMNS, type FormatContext, type LogFormat } from '../../src/formats/format.js';
import { combined, common, vhostCombined } from '../../src/formats/clf.js';
import { traefikClf } from '../../src/formats/proxies.js';
import { jsonl } from '../../src/formats/jsonl.js';
import { FORMATS } from '../../src/formats/registry.js';
import { analyzeJson, makeCase, tempDir } from '../helpers.js';

let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

/** Runs a format's SQL over the given lines exactly as ingest does (line numbers from 1; '#' lines are directives). */
async function parse(format: LogFormat, lines: readonly string[], ctx: FormatContext = { timezone: undefined, fields: {} }): Promise<Row[]> {
  await store.run('CREATE OR REPLACE TEMP TABLE all_lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: [...lines] });
  await store.run("CREATE OR REPLACE TEMP TABLE lines AS SELECT * FROM all_lines WHERE NOT starts_with(line, '#')");
  await store.run("CREATE OR REPLACE TEMP TABLE directives AS SELECT * FROM all_lines WHERE starts_with(line, '#')");
  return store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(format, ctx)}) ORDER BY line_no`);
}

describe('every format against its own sample lines', () => {
  for (const format of FORMATS) {
    test(`when ${format.name} reads its samples then every one parses and fits its sniff`, async () => {
      const rows = await parse(format, format.samples);
      assert.equal(rows.length, format.samples.length);
      for (const [i, r] of rows.entries()) {
        assert.equal(r.reject_reason, null, `sample ${i + 1}: ${String(r.reject_reason)}`);
        assert.ok(r.time instanceof Date, `sample ${i + 1} has a time`);
        assert.ok(format.sniff(format.samples[i]!), `sample ${i + 1} fits sniff`);
      }
    });
    test(`when ${format.name} reads its bad lines then each is rejected for its reason`, async () => {
      const rows = await parse(format, format.rejects.map((r) => r.line));
      for (const [i, r] of rows.entries()) assert.match(String(r.reject_reason), format.rejects[i]!.reason);
    });
  }
});

describe('combined fields', () => {
  test('when a combined line comes through syslog then the header is dropped and the payload read, and auto still sees combined', async () => {
    const line = 'Jul  8 11:07:07 ip-172-31-43-28 nginx[2869]: 167.71.13.196 - - [08/Jul/2021:11:07:07 +0000] "GET /wp-config.php HTTP/1.1" 200 5 "-" "Go-http-client/1.1"';
    const [r] = await parse(combined, [line, `<13>${line}`]);
    assert.deepEqual([r!.reject_reason, r!.client_ip, r!.path, r!.time], [null, '167.71.13.196', '/wp-config.php', new Date('2021-07-08T11:07:07Z')]);
    assert.ok(combined.sniff(line));
  });

  test('when error-log lines sit among requests then each is rejected as the error-log line it is', async () => {
    const rows = await parse(combined, [
      '2021/12/01 13:53:33 [error] 31#31: *46 "/usr/share/nginx/html/x" is not found (2: No such file or directory), client: 172.17.0.1',
      '[Thu Oct 13 12:24:49.880562 2022] [auth_basic:error] [pid 10:tid 1401] [client 31.33.58.75:50229] AH01618: user sss not found: /',
      '2022-06-09 12:22:07.353044 [INFO] [1226038] [192.168.9.163:61120-5#Example] User failed to authenticate.',
      'random text',
    ]);
    assert.deepEqual(rows.map((r) => r.reject_reason), [
      'an nginx error-log line, not a request',
      'an Apache error-log line, not a request',
      'a LiteSpeed error-log line, not a request',
      'no [time] "request" fields: not a common/combined/vhost_combined line',
    ]);
  });

  test('when a quoted field holds Apache escapes then \\" and \\\\ decode and the line parses', async () => {
    const [r] = await parse(combined, [String.raw`1.2.3.4 - bob [16/Mar/2015:10:00:00 +0000] "GET /a\"b HTTP/1.1" 200 5 "-" "UA \"x\" \\ \\\" end"`]);
    assert.equal(r!.reject_reason, null);
    assert.equal(r!.path, '/a"b');
    assert.equal(r!.user_agent, 'UA "x" \\ \\" end');
    assert.equal(r!.account, 'bob');
  });

  test('when nginx writes \\x22 and \\x5C then they decode to " and \\', async () => {
    const [r] = await parse(combined, [String.raw`1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET /q?x=\x22y\x22 HTTP/1.1" 200 5 "-" "a\x5Cb"`]);
    assert.equal(r!.path, '/q?x="y"');
    assert.equal(r!.user_agent, 'a\\b');
  });

  test('when an Apache-escaped backslash precedes x22 then it stays a literal \\x22', async () => {
    const [r] = await parse(combined, [String.raw`1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET /p HTTP/1.1" 200 5 "-" "lit \\x22"`]);
    assert.equal(r!.user_agent, 'lit \\x22');
  });

  test('when offsets differ across a DST change then times are exact UTC', async () => {
    const rows = await parse(combined, [
      '1.2.3.4 - - [29/Mar/2015:00:59:59 +0000] "GET / HTTP/1.1" 200 5 "-" "-"',
      '1.2.3.4 - - [29/Mar/2015:02:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "-"',
      '1.2.3.4 - - [13/Apr/2015:01:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "-"',
      '1.2.3.4 - - [16/Mar/2015:10:00:00 -0430] "GET / HTTP/1.1" 200 5 "-" "-"',
    ]);
    assert.deepEqual(
      rows.map((r) => (r.time as Date).toISOString()),
      ['2015-03-29T00:59:59.000Z', '2015-03-29T01:00:00.000Z', '2015-04-13T00:00:00.000Z', '2015-03-16T14:30:00.000Z'],
    );
  });

  test('when the request line is not HTTP then the event stays with no method or path', async () => {
    const [r] = await parse(combined, [String.raw`1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] "\x16\x03\x01" 400 226 "-" "-"`]);
    assert.equal(r!.reject_reason, null);
    assert.equal(r!.method, null);
    assert.equal(r!.path, null);
    assert.equal(r!.status, 400);
  });

  test('when size is - and user is - then bytes and account are NULL', async () => {
    const [r] = await parse(common, ['::1 - - [16/Mar/2015:10:00:00 +0000] "GET /x HTTP/1.0" 304 -']);
    assert.equal(r!.bytes, null);
    assert.equal(r!.account, null);
    assert.equal(r!.client_ip, '::1');
    assert.equal(r!.protocol, 'HTTP/1.0');
  });

  test('when a vhost line carries a forwarded-for list then the chain is split into forwarded-for and socket', async () => {
    const rows = await parse(vhostCombined, [
      'example.com:80 "10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /a HTTP/1.1" 200 5 "-" "-"',
      'example.com 10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /b HTTP/1.1" 200 571 "-" "-"',
      'bwapi 10.20.30.4 - 95386da81aa13b6ab3ce9c989e1e470e - [22/Oct/2025:14:31:58 +0000] "GET /health HTTP/1.1" 200 43 "-" "bwapi"',
    ]);
    assert.deepEqual(
      rows.map((r) => [r.vhost, r.forwarded_for, r.client_ip, r.request_id, r.reject_reason]),
      [
        ['example.com:80', '10.5.102.222,175.16.199.1,204.246.1.1', '10.2.1.185', null, null],
        ['example.com', '10.0.0.2,10.0.0.1', '127.0.0.1', null, null],
        ['bwapi', null, '10.20.30.4', '95386da81aa13b6ab3ce9c989e1e470e', null],
      ],
    );
  });
});

describe('NCSA heads: a user name never moves the client address', () => {
  const ATTACK = '203.0.113.77 - x M172273 [16/Mar/2015:10:00:00 +0000] "GET /tickets/IT40561182/image HTTP/1.1" 200 5120 "-" "x"';
  const line = (head: string) => `${head} [16/Mar/2015:10:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"`;

  test('when a combined line has a user with spaces then every NCSA reader takes the first field as the address and the rest as the user', async () => {
    const lines = [ATTACK, line('203.0.113.78 - a b'), line('203.0.113.79 - a [b c'), line('203.0.113.80 - "q r" s')];
    for (const format of [combined, common, traefikClf, combined.auto!, common.auto!, vhostCombined.auto!, traefikClf.auto!]) {
      const rows = await parse(format, lines);
      assert.deepEqual(
        rows.map((r) => [r.client_ip, r.vhost, r.account, r.reject_reason]),
        [
          ['203.0.113.77', null, 'x M172273', null],
          ['203.0.113.78', null, 'a b', null],
          ['203.0.113.79', null, 'a [b c', null],
          ['203.0.113.80', null, 'q,r s', null],
        ],
        format.name,
      );
    }
  });

  test('when auto reads vhost lines whose user holds spaces then the address is still the second field', async () => {
    const lines = [line('www.example.com 10.0.0.1 1j0vhgd x M172273'), line('www.example.com:443 2001:db8::1 - a b c'), line('example.com 10.0.0.2, 10.0.0.1 - u v')];
    for (const format of [combined.auto!, vhostCombined.auto!, vhostCombined]) {
      const rows = await parse(format, lines);
      assert.deepEqual(rows.map((r) => [r.vhost, r.client_ip, r.forwarded_for, r.reject_reason]), [
        ['www.example.com', '10.0.0.1', null, null],
        ['www.example.com:443', '2001:db8::1', null, null],
        ['example.com', '10.0.0.1', '10.0.0.2', null],
      ], format.name);
      assert.equal(rows[0]!.account, 'x M172273');
    }
  });

  test('when a second field is a hostname then the format auto picked decides, and neither reading takes the address from the user', async () => {
    const l = line('www.example.com client.isp.example - -');
    const [asVhost] = await parse(vhostCombined.auto!, [l]);
    const [asHost] = await parse(combined.auto!, [l]);
    assert.deepEqual([asVhost!.vhost, asVhost!.client_ip, asVhost!.account], ['www.example.com', 'client.isp.example', null]);
    assert.deepEqual([asHost!.vhost, asHost!.client_ip, asHost!.account], [null, 'www.example.com', '- -']);
  });

  test('when a format is set and a line has the other head shape then it is rejected saying what was expected', async () => {
    const vhostLine = line('www.example.com 10.0.0.1 - -');
    for (const format of [combined, common, traefikClf]) {
      const [r] = await parse(format, [vhostLine]);
      assert.match(String(r!.reject_reason), new RegExp(`^expected host ident user before \\[time\\] \\(${format.name}\\); this line has an address second.*set format: vhost_combined, or auto`), format.name);
    }
    const rows = await parse(vhostCombined, [ATTACK, line('1.2.3.4 - -'), line('1.2.3.4')]);
    assert.deepEqual(rows.map((r) => r.reject_reason), [
      'expected vhost host ident user before [time] (vhost_combined); the client address (second field) is -, as the ident of a host-first line (host ident user) is: set format: combined, or auto',
      'expected vhost host ident user before [time] (vhost_combined), found 3 field(s)',
      'expected vhost host ident user before [time] (vhost_combined), found 1 field(s)',
    ]);
  });

  test("when a client sends a Basic user 'x M172273' then the access to M172273's document is counted, from its address", () => {
    const c = makeCase(
      'case: t\nsources: [{name: web, path: access.log, format: combined}]\ndocuments: {routes: ["/tickets/{doc}/image"], owners: owners.csv}\n',
      { 'access.log': `${ATTACK}\n`, 'owners.csv': 'document_id,owner_account\nIT40561182,M172273\n' },
    );
    const s = analyzeJson(c).summary;
    assert.deepEqual([s.unauthorized_accesses, s.unique_ips, s.accounts], [1, 1, 1]);
  });
});

describe('jsonl fields', () => {
  test('when fields are mapped with dotted paths then nested values fill events', async () => {
    const [r] = await parse(jsonl, ['{"ts":"2022-06-13T09:15:02+01:00","req":{"id":"r1"},"who":{"name":"R0042"},"status":"200"}'], {
      timezone: undefined,
      fields: { time: 'ts', request_id: 'req.id', account: 'who.name' },
    });
    assert.equal(r!.reject_reason, null);
    assert.equal((r!.time as Date).toISOString(), '2022-06-13T08:15:02.000Z');
    assert.equal(r!.request_id, 'r1');
    assert.equal(r!.account, 'R0042');
    assert.equal(r!.status, 200);
  });

  test('when a time has no offset then the source time zone applies, DST-aware', async () => {
    const rows = await parse(jsonl, ['{"time":"2015-03-28 12:00:00"}', '{"time":"2015-03-30T12:00:00"}'], { timezone: 'Europe/London', fields: {} });
    assert.deepEqual(rows.map((r) => (r.time as Date).toISOString()), ['2015-03-28T12:00:00.000Z', '2015-03-30T11:00:00.000Z']);
  });

  test('when a time has no offset and the source no time zone then the line is rejected saying so', async () => {
    const [r] = await parse(jsonl, ['{"time":"2015-03-28 12:00:00"}']);
    assert.match(String(r!.reject_reason), /has no UTC offset and the source has no timezone/);
  });

  test('when times are epoch seconds, milliseconds or nanoseconds then each is exact', async () => {
    const rows = await parse(jsonl, ['{"ts":1426500000}', '{"ts":1426500000123}', '{"ts":1426500000.5}', '{"ts":1426500000123456789}']);
    assert.deepEqual(
      rows.map((r) => (r.time as Date).toISOString()),
      ['2015-03-16T10:00:00.000Z', '2015-03-16T10:00:00.123Z', '2015-03-16T10:00:00.500Z', '2015-03-16T10:00:00.123Z'],
    );
  });

  test('when nginx $request is logged whole then method and path come from it', async () => {
    const [r] = await parse(jsonl, ['{"time_local":"16/Mar/2015:10:00:00 +0000","request":"GET /cases/1?x=2 HTTP/1.1","remote_addr":"10.0.0.1","http_x_forwarded_for":"1.2.3.4"}']);
    assert.deepEqual([r!.method, r!.path, r!.protocol, r!.client_ip, r!.forwarded_for], ['GET', '/cases/1?x=2', 'HTTP/1.1', '10.0.0.1', '1.2.3.4']);
  });
});
