import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CORPUS, makeCase, runCli } from '../helpers.js';

/*
 * The real-world corpus lives in ../shared (not in a user's clone): skipped, visibly, without it.
 * Expected rejections were found by reading the lines, not by copying the tool's output:
 *  - netdata__common.log: 44 lines "Unmatched! The rat the cat ..." (the generator's junk, SOURCES.md)
 *  - netdata__full.log: 48 such lines
 *  - lnav__logfile_bad_access_log.0: line 2 has no ident/user fields
 *  - nasa__...wrapped.log: 89 halves of records hard-wrapped across two lines (grep: lines not
 *    matching the NCSA common shape), every one is a fragment; the other 1,841 are whole records
 *  - malformed crowdsec files: binary garbage *inside* a well-formed record's request field is a
 *    real request (a TLS handshake sent to port 80): it is an event with no method/path, not a reject
 *  - crowdsec__bunkerweb-http-malformed.log: 12 data lines, all BunkerWeb-shaped records
 * Comment lines ('#') are counted as comments, never as rejects (matomo__logs_to_tests.log: 1).
 */
const EXPECTED: Record<string, { format: string; lines: number; rejected: number; comments?: number }> = {
  'combined/beats__nginx-access__access.log': { format: 'combined', lines: 13, rejected: 0 },
  'combined/crowdsec__apache_log4j2_cve-2021-44228.log': { format: 'combined', lines: 3, rejected: 0 },
  'combined/crowdsec__http-dos-bypass-cache.log': { format: 'combined', lines: 356, rejected: 0 },
  'combined/lnav__logfile_access_log.1': { format: 'combined', lines: 1, rejected: 0 },
  'combined/matomo__logs_to_tests.log': { format: 'combined', lines: 4, rejected: 0, comments: 1 },
  'common/beats__apache-access__darwin-2.4.23.log': { format: 'common', lines: 6, rejected: 0 },
  'common/crowdsec__apache-http-probing.log': { format: 'common', lines: 77, rejected: 0 },
  'common/matomo__common.log.gz': { format: 'common', lines: 1, rejected: 0 },
  'common/netdata__common.log': { format: 'common', lines: 500, rejected: 44 },
  'vhost/beats__nginx-access__test-with-host.log': { format: 'vhost_combined', lines: 10, rejected: 0 },
  'vhost/crowdsec__bunkerweb-logs.log': { format: 'vhost_combined', lines: 5, rejected: 0 },
  'vhost/matomo__common_encoding_big5.log': { format: 'vhost_combined', lines: 1, rejected: 0 },
  'vhost/netdata__full.log': { format: 'vhost_combined', lines: 500, rejected: 48 },
  'nginx-json/matomo__nginx_json.log': { format: 'jsonl', lines: 2, rejected: 0 },
  'malformed/lnav__logfile_bad_access_log.0': { format: 'combined', lines: 3, rejected: 1 },
  'malformed/nasa__NASA_access_log_Aug95_excerpt_wrapped.log': { format: 'common', lines: 1930, rejected: 89 },
  'malformed/crowdsec__apache2-malformed.log': { format: 'combined', lines: 11, rejected: 0 },
  'malformed/crowdsec__bunkerweb-http-malformed.log': { format: 'vhost_combined', lines: 12, rejected: 0 },
  // mixed/: NCSA shapes interleaved (one reader reads them all) and error-log lines, rejected as such:
  'mixed/beats__apache-access__test.log': { format: 'combined', lines: 7, rejected: 0 },
  'mixed/crowdsec__CVE-2022-35914.log': { format: 'vhost_combined', lines: 2, rejected: 0 },
  'mixed/crowdsec__apache-cve-2021-41773.log': { format: 'common', lines: 3, rejected: 1 }, // line 1: Apache error log
  'mixed/crowdsec__apache2-logs.log': { format: 'combined', lines: 9, rejected: 2 }, // lines 8-9: Apache error log
  'mixed/crowdsec__litespeed-logs.log': { format: 'combined', lines: 3, rejected: 2 }, // lines 1, 3: LiteSpeed error log
  'mixed/crowdsec__nginx-http-open-proxy.log': { format: 'combined', lines: 2, rejected: 0 },
  // line 8 '192.168.1.1 - [time] ...' has two fields before [time] where NCSA has three; line 9: nginx error log
  'mixed/crowdsec__nginx_http-logs.log': { format: 'combined', lines: 9, rejected: 2 },
  // syslog-wrapped/: a BSD syslog header before each combined line (day padded with a space: 'Jul  8')
  'syslog-wrapped/crowdsec__http-bf-wordpress-bf.log': { format: 'combined', lines: 9, rejected: 0 },
  'syslog-wrapped/crowdsec__http-wordpress_wpconfig.log': { format: 'combined', lines: 14, rejected: 0 },
};

/** Nginx Proxy Manager's own shapes (several log_formats in one file) fit no built-in reader: see defined.test.ts. */
const NOT_AUTO = new Set([
  'mixed/crowdsec__nginx-proxy-manager-logs.log',
  'mixed/crowdsec__npmplus-logs.log',
  // syslog lines, two of them carrying a Tomcat access line without any timestamp: no format can time them
  'syslog-wrapped/lnav__logfile_syslog_with_access_log.0',
]);

const FOLDERS = ['combined', 'common', 'vhost', 'nginx-json', 'malformed', 'mixed', 'syslog-wrapped'];

describe('real-world corpus (../shared/corpus/real-logs)', { skip: existsSync(CORPUS) ? false : 'no ../shared/corpus/real-logs beside this checkout' }, () => {
  test('when every file of the foundation formats is ingested with format auto then rejections are only the known bad lines', () => {
    const files = FOLDERS.flatMap((folder) =>
      readdirSync(path.join(CORPUS, folder))
        .filter((f) => !f.endsWith('.bz2'))
        .map((f) => `${folder}/${f}`)
        .filter((f) => !NOT_AUTO.has(f)),
    );
    const yaml = `case: corpus\nsources:\n${files.map((f, i) => `  - name: f${i}\n    path: ${JSON.stringify(path.join(CORPUS, f))}\n`).join('')}`;
    const r = runCli(['ingest', makeCase(yaml), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const reports = (JSON.parse(r.stdout) as { files: { path: string; format: string; lines: number; rejected: number; comments: number; status: string }[] }).files;
    assert.equal(reports.length, files.length);
    for (const rep of reports) {
      const rel = files.find((f) => rep.path.endsWith(f))!;
      const want = EXPECTED[rel];
      if (want) {
        assert.deepEqual([rep.format, rep.lines, rep.rejected, rep.comments], [want.format, want.lines, want.rejected, want.comments ?? 0], rel);
      } else if (!rel.startsWith('malformed/')) {
        assert.equal(rep.rejected, 0, `${rel}: no line of this file is malformed`);
      }
    }
  });

  test('when a bzip2 file is in a source then ingest names it and says how to fix it, exit 2', () => {
    const yaml = `case: c\nsources:\n  - name: b\n    path: ${JSON.stringify(path.join(CORPUS, 'common/matomo__common.log.bz2'))}\n`;
    const r = runCli(['ingest', makeCase(yaml)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /matomo__common\.log\.bz2: bzip2-compressed/);
  });

  test('when an error log from not-access/ is read with auto then it is recognised as not an access log', () => {
    const yaml = `case: c\nsources:\n  - name: e\n    path: ${JSON.stringify(path.join(CORPUS, 'not-access/beats__nginx-error__error.log'))}\n`;
    const r = runCli(['ingest', makeCase(yaml)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nginx error log, not an access log/);
  });
});
