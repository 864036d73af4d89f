import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { CORPUS, makeCase, runCli, tempDir } from '../helpers.js';

/** Ingests a case into a fresh store with or without the fast path; returns events and the readers used. */
async function read(casePath: string, fast: boolean): Promise<{ readers: string[]; events: Record<string, unknown>[] }> {
  const db = tempDir();
  const r = runCli(['ingest', casePath, '--db', db, '--json'], { env: fast ? {} : { BREACHSCOPE_NO_FAST_PATH: '1' } });
  assert.equal(r.code, 0, r.stderr);
  const readers = (JSON.parse(r.stdout) as { files: { reader: string }[] }).files.map((f) => f.reader);
  const store = await Store.open(db);
  try {
    const events = await store.all('SELECT * EXCLUDE (file_id, event_id) FROM events ORDER BY source, line');
    return { readers, events };
  } finally {
    store.close();
  }
}

const LINES = [
  String.raw`203.0.113.7 - M104233 [16/Mar/2015:10:02:11 +0000] "GET /tickets/IT1/image HTTP/1.1" 200 48211 "https://t.example/?a=\"b\"" "Mozilla/5.0 \"quoted\" ok"`,
  String.raw`::ffff:203.0.113.7 - - [29/Mar/2015:02:00:00 +0100] "GET /evidence.aspx?pcn=IT2&x=\"y\" HTTP/1.1" 304 - "-" "curl/7.1"`,
  String.raw`2001:db8::1 - - [17/Oct/2023:05:57:49 +1100] "-" 408 - "-" "-"`,
  String.raw`10.0.0.1 - - [17/Oct/2023:05:57:49 +1100] "" 400 0 "" ""`,
  String.raw`10.0.0.1 - - [17/Oct/2023:05:57:49 +1100] "GET /a b c HTTP/1.0" 200 1 "-" "-"`,
  String.raw`10.0.0.3 - alice [32/Oct/2023:05:57:49 +1100] "GET / HTTP/1.0" 200 1 "-" "-"`,
  String.raw`10.0.0.3 - alice [01/Oct/2023:05:57:49 +1100] "GET / HTTP/1.0" 2000 1 "-" "-"`,
  String.raw`10.0.0.4 - - [01/Oct/2023:05:57:49 +1100] "POST /x?y=1 HTTP/2.0" 201 12 "-" "-"`,
].join('\n');

describe('fast path and general reader agree', () => {
  test('when a uniform combined file with escapes, IPv6, empty and odd requests and bad values is read both ways then events are identical', async () => {
    const c = makeCase('case: f\nsources:\n  - {name: web, path: access.log, format: combined}\n', { 'access.log': `${LINES}\n\n${LINES}\n` });
    const fast = await read(c, true);
    const general = await read(c, false);
    assert.deepEqual(fast.readers, ['fast']);
    assert.deepEqual(general.readers, ['general']);
    assert.equal(fast.events.length, 12, 'two bad lines of each copy are rejected by both');
    assert.deepEqual(fast.events, general.events);
  });

  test('when a common and a vhost_combined file are read both ways then events are identical', async () => {
    const c = makeCase('case: f\nsources:\n  - {name: a, path: common.log, format: common}\n  - {name: b, path: vhost.log.gz, format: vhost_combined}\n', {
      'common.log': '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n::1 - - [10/Oct/2000:13:55:37 -0700] "-" 408 -\n',
      'vhost.log.gz': `www.example.com:443 ${LINES.split('\n')[0]}\nwww.example.com 10.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "x"\n`,
    });
    const fast = await read(c, true);
    const general = await read(c, false);
    assert.deepEqual(fast.readers, ['fast', 'fast']);
    assert.deepEqual(fast.events, general.events);
  });

  test('when a line holds nginx or Apache \\x escapes then the general reader reads the file and decodes them', async () => {
    const c = makeCase('case: f\nsources:\n  - {name: web, path: access.log, format: combined}\n', {
      'access.log': `${LINES}\n${String.raw`1.2.3.4 - - [29/Mar/2015:02:00:00 +0100] "GET /q?x=\x22y\x22 HTTP/1.1" 200 5 "-" "a\x5Cb"`}\n`,
    });
    const fast = await read(c, true);
    assert.deepEqual(fast.readers, ['general']);
    const last = fast.events.at(-1)!;
    assert.deepEqual([last.path, last.user_agent], ['/q?x="y"', 'a\\b']);
  });

  test('when a file is not uniform then the fast path steps aside and nothing is lost', async () => {
    // auto reads every NCSA head shape; with format: combined the vhost line would be rejected.
    const c = makeCase('case: f\nsources:\n  - {name: web, path: access.log, format: auto}\n', {
      'access.log': `${LINES.split('\n')[0]}\nwww.example.com ${LINES.split('\n')[0]}\nbroken "quote line\n${LINES.split('\n')[3]}\n`,
    });
    const fast = await read(c, true);
    assert.deepEqual(fast.readers, ['general']);
    assert.equal(fast.events.length, 3);
  });

  test('when uniform files of the real corpus are read both ways then events are identical', { skip: existsSync(CORPUS) ? false : 'no ../shared corpus' }, async () => {
    // Files that end with a line end: a file whose last line has none takes the general reader
    // (that line may still be being written; the fast path would read the file a second time).
    const files = [
      'combined/crowdsec__http-dos-random-uri.log',
      'combined/crowdsec__nginx-http-xss-probing.log',
      'common/crowdsec__apache2-http-sensitive-files.log',
      'perf/elastic-examples__apache_logs.log',
      'malformed/crowdsec__nginx-http-malformed.log',
    ];
    const yaml = `case: c\nsources:\n${files.map((f, i) => `  - name: s${i}\n    path: ${JSON.stringify(path.join(CORPUS, f))}\n    format: ${f.startsWith('common') ? 'common' : 'combined'}\n`).join('')}`;
    const c = makeCase(yaml);
    const fast = await read(c, true);
    const general = await read(c, false);
    assert.ok(fast.readers.filter((r) => r === 'fast').length >= 3, `most take the fast path: ${fast.readers.join(', ')}`);
    assert.equal(fast.events.length, general.events.length);
    assert.deepEqual(fast.events, general.events);
  });

  test('when a user name holds spaces then both readers keep the client IP and read the whole user, whatever the format', async () => {
    // nginx fills $remote_user from any Basic Authorization header and does not escape its spaces.
    const attack = '203.0.113.77 - x M172273 [16/Mar/2015:10:00:00 +0000] "GET /tickets/IT40561182/image HTTP/1.1" 200 5120 "-" "x"';
    const files = {
      'combined.log': `${LINES.split('\n')[0]}\n${attack}\n203.0.113.78 - a b [16/Mar/2015:10:00:01 +0000] "GET /x HTTP/1.1" 200 1 "-" "x"\n`,
      // vhost first, the same user: the address is the second field
      'vhost.log': `www.example.com 10.1.1.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "x"\nwww.example.com 203.0.113.79 - x M172273 [16/Mar/2015:10:00:00 +0000] "GET /y HTTP/1.1" 200 1 "-" "x"\n`,
    };
    for (const format of ['combined', 'auto']) {
      const c = makeCase(`case: f\nsources:\n  - {name: a, path: combined.log, format: ${format}}\n  - {name: b, path: vhost.log, format: ${format === 'auto' ? 'auto' : 'vhost_combined'}}\n`, files);
      for (const events of [(await read(c, true)).events, (await read(c, false)).events]) {
        assert.deepEqual(
          events.map((e) => [e.line, e.client_ip, e.vhost]),
          [[1, '203.0.113.7', null], [2, '203.0.113.77', null], [3, '203.0.113.78', null], [1, '10.1.1.1', 'www.example.com'], [2, '203.0.113.79', 'www.example.com']],
          format,
        );
        assert.deepEqual(events.slice(1, 3).map((e) => e.account), ['x M172273', 'a b'], format);
      }
    }
  });
});
