import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Store, type Row } from '../../src/db/store.js';
import { formatSql, PARSED_COLUMNS, type FormatContext } from '../../src/formats/format.js';
import { w3c } from '../../src/formats/w3c.js';
import { sniffFormat } from '../../src/ingest/sniff.js';
import { CORPUS, makeCase, runCli, tempDir } from '../helpers.js';

let store: Store;
before(async () => {
  store = await Store.open(tempDir());
});
after(() => store.close());

/** A file's lines as ingest hands them over: '#' lines are directives, the others lines. */
async function parse(text: string, ctx: FormatContext = { timezone: undefined, fields: {} }): Promise<Row[]> {
  const all = text.split('\n');
  await store.run('CREATE OR REPLACE TEMP TABLE all_lines AS SELECT generate_subscripts($l::VARCHAR[], 1) AS line_no, unnest($l::VARCHAR[]) AS line', { l: all });
  await store.run("CREATE OR REPLACE TEMP TABLE lines AS SELECT * FROM all_lines WHERE line <> '' AND NOT starts_with(line, '#')");
  await store.run("CREATE OR REPLACE TEMP TABLE directives AS SELECT * FROM all_lines WHERE starts_with(line, '#')");
  const rows = await store.all(`SELECT line_no, ${PARSED_COLUMNS.join(', ')} FROM (${formatSql(w3c, ctx)}) ORDER BY line_no`);
  return rows.map((r) => ({ ...r, time: r.time instanceof Date ? r.time.toISOString() : (r.time ?? null) }));
}

describe('W3C extended', () => {
  test('when the #Fields: header changes mid-file then each line is read with the header above it', async () => {
    const rows = await parse(
      [
        '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
        '2018-01-01 08:09:10 81.2.69.143 GET /a 200',
        '#Fields: date time cs-method cs-uri-stem cs-uri-query cs-username c-ip sc-status sc-bytes',
        '2018-01-01 09:10:11 GET /b q=1 alice 192.0.2.9 404 512',
      ].join('\n'),
    );
    assert.deepEqual(
      rows.map((r) => [r.line_no, r.time, r.client_ip, r.method, r.path, r.account, r.status, r.bytes, r.reject_reason]),
      [
        [2, '2018-01-01T08:09:10.000Z', '81.2.69.143', 'GET', '/a', null, 200, null, null],
        [4, '2018-01-01T09:10:11.000Z', '192.0.2.9', 'GET', '/b?q=1', 'alice', 404, 512, null],
      ],
    );
  });

  test('when values are quoted then spaces stay inside them and a doubled quote is one quote', async () => {
    const [r] = await parse(
      ['#Fields:   date  time   c-ip cs(User-Agent) cs-uri-stem sc-status', '2012-08-15 17:00:00.363 "70.95.0.0" "Mozilla/5.0 (X11) ""quoted""" /p 200'].join('\n'),
    );
    assert.equal(r!.client_ip, '70.95.0.0');
    assert.equal(r!.user_agent, 'Mozilla/5.0 (X11) "quoted"');
    assert.equal(r!.time, '2012-08-15T17:00:00.363Z');
  });

  test('when times are date-local/time-local then the source timezone reads them, and without one the line says to set it', async () => {
    const text = ['#Fields: date-local time-local c-ip cs-method cs-uri-stem sc-status', '2012-08-15 17:00:00 1.2.3.4 GET /p 200'].join('\n');
    assert.equal((await parse(text, { timezone: 'Europe/London', fields: {} }))[0]!.time, '2012-08-15T16:00:00.000Z');
    assert.match(String((await parse(text))[0]!.reject_reason), /set timezone: on this source/);
  });

  test('when a #GMT-Offset: directive is present then times are shifted to UTC by it', async () => {
    const [r] = await parse(['#GMT-Offset: -0800', '#Fields: c-ip date time cs-method cs-uri sc-status bytes', '64.103.37.2 2001-10-31 00:00:18 GET /x.gif 200 350'].join('\n'));
    assert.equal(r!.time, '2001-10-31T08:00:18.000Z');
    assert.equal(r!.bytes, 350);
  });

  test('when rows carry only a time then the date of the latest #Date: is used, and an FTP session number becomes the session', async () => {
    const rows = await parse(['#Date: 2000-10-09 16:44:49', '#Fields: time c-ip cs-method cs-uri-stem sc-status', '16:48:35 1.1.1.1 [3]sent /user/test.c 226'].join('\n'));
    assert.deepEqual([rows[0]!.time, rows[0]!.method, rows[0]!.path, rows[0]!.session], ['2000-10-09T16:48:35.000Z', 'sent', '/user/test.c', '3']);
  });

  test('when a line has no header, or one that does not match, then the IIS layout of its length reads it, else it is rejected with both counts', async () => {
    const xff = '2020-10-07 23:00:17 192.168.16.11 POST /api/x - 443 - 192.168.7.63 Mozilla/5.0 https://r.example/ 200 0 0 26 192.168.198.23';
    const rows = await parse([xff, '#Fields: date time c-ip', '2020-10-07 23:00:17 a b c d'].join('\n'));
    assert.deepEqual([rows[0]!.client_ip, rows[0]!.forwarded_for, rows[0]!.referer, rows[0]!.status], ['192.168.7.63', '192.168.198.23', 'https://r.example/', 200]);
    assert.equal(rows[1]!.reject_reason, "6 fields, but the #Fields: header on line 2 declares 3 (and no IIS default layout has 6)");
  });

  test('when Incapsula writes the host in cs-uri then the path loses it and the host is the vhost', async () => {
    const [r] = await parse(['#Fields: date time c-ip cs-uri cs-uri-query sc-status s-xff', '"2017-06-28" "07:26:35" "123.123.123.123" "www.example.com/page.php" "variable=test" "200" "10.0.0.1"'].join('\n'));
    assert.deepEqual([r!.vhost, r!.path, r!.forwarded_for, r!.status], ['www.example.com', '/page.php?variable=test', '10.0.0.1', 200]);
  });

  test('when auto samples a W3C file then headers make it W3C and a CloudFront (tab-separated) line does not fit', () => {
    const chosen = sniffFormat(['#Fields: c-ip c-dns date time cs-uri-stem c-status', '1.2.3.4 5.6.7.8 2015-12-07 10:37:05 /stream 200']);
    assert.ok(chosen.ok && chosen.format.name === 'w3c');
    assert.equal(w3c.sniff('2014-05-23\t01:13:11\tFRA2\t182\t192.0.2.10\tGET', ['#Fields: date time x-edge-location']), false);
  });
});

/*
 * Every W3C file of the corpus; counts read off the files (data lines = lines not starting with '#',
 * not blank). All data lines are requests: the IIS FTP log's lines (lnav__logfile_w3c.2) are FTP
 * commands, read as events with the verb as method and the FTP session number as session.
 * lnav__logfile_w3c.5's only line has 17 fields under a 6-field header: read with IIS 8.5's 17-field layout.
 */
const W3C_FILES: Record<string, { lines: number; comments: number; duplicateOf?: string }> = {
  'w3c-iis/beats__iis-access__access-azure.log': { lines: 1, comments: 2 },
  'w3c-iis/beats__iis-access__test-iis-7.5.log': { lines: 4, comments: 4 },
  'w3c-iis/beats__iis-access__test-ipv6zone.log': { lines: 1, comments: 4 },
  'w3c-iis/beats__iis-access__test-x-forward-for-extended.log': { lines: 6, comments: 0 },
  'w3c-iis/beats__iis-access__test-x-forward-for.log': { lines: 9, comments: 0 },
  'w3c-iis/beats__iis-access__test.log': { lines: 5, comments: 12 },
  'w3c-iis/lnav__logfile_w3c.0': { lines: 1, comments: 4 },
  'w3c-iis/lnav__logfile_w3c.3': { lines: 3, comments: 4 },
  'w3c-iis/lnav__logfile_w3c.5': { lines: 1, comments: 1 },
  'w3c-iis/lnav__logfile_w3c.6': { lines: 1, comments: 4 },
  'w3c-iis/lnav__logfile_w3c_big.0': { lines: 210, comments: 44 },
  'w3c-iis/matomo__iis.log': { lines: 1, comments: 4 },
  'w3c-iis/matomo__iis_custom.log': { lines: 3, comments: 4 },
  'w3c-iis/netdata__u_ex221107.log': { lines: 152, comments: 16 },
  'w3c-other/lnav__logfile_w3c.1': { lines: 1, comments: 6 },
  'w3c-other/lnav__logfile_w3c.2': { lines: 14, comments: 8 },
  'w3c-other/lnav__logfile_w3c.4': { lines: 2, comments: 4 },
  // Byte-identical to lnav__logfile_w3c.4 (SOURCES.md: the same sample): skipped as already stored.
  'w3c-other/matomo__incapsula_w3c.log': { lines: 0, comments: 0, duplicateOf: 'lnav__logfile_w3c.4' },
  'w3c-other/matomo__netscaler.log': { lines: 1, comments: 4 },
  'w3c-other/matomo__shoutcast.log': { lines: 1, comments: 3 },
  'w3c-other/matomo__splitted_date_and_time.log': { lines: 1, comments: 1 },
};

describe('W3C corpus (../shared/corpus/real-logs)', { skip: existsSync(CORPUS) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
  test('when every w3c-iis and w3c-other file is ingested with auto then each is w3c and every data line is an event', () => {
    const files = ['w3c-iis', 'w3c-other'].flatMap((d) => readdirSync(path.join(CORPUS, d)).map((f) => `${d}/${f}`));
    assert.deepEqual(files.sort(), Object.keys(W3C_FILES).sort(), 'the table covers the folders');
    // The IIS Advanced Logging files write date-local/time-local: their source needs a timezone.
    const yaml = `case: w3c\nsources:\n${files.map((f, i) => `  - name: f${i}\n    path: ${JSON.stringify(path.join(CORPUS, f))}\n    timezone: UTC\n`).join('')}`;
    const r = runCli(['ingest', makeCase(yaml), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const reports = (JSON.parse(r.stdout) as { files: { path: string; status: string; note: string; format: string; lines: number; events: number; rejected: number; comments: number }[] }).files;
    assert.equal(reports.length, files.length);
    for (const rep of reports) {
      const rel = files.find((f) => rep.path.endsWith(f))!;
      const want = W3C_FILES[rel]!;
      if (want.duplicateOf) {
        assert.equal(rep.status, 'skipped', rel);
        assert.match(rep.note, new RegExp(`already in the store, read from .*${want.duplicateOf.replaceAll('.', '\\.')}: counted once`), rel);
        continue;
      }
      assert.deepEqual([rep.format, rep.lines, rep.events, rep.rejected, rep.comments], ['w3c', want.lines, want.lines, 0, want.comments], rel);
    }
  });
});
