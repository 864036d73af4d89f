import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { caseYaml, ENRICHMENT, FILES, LOG } from '../analyze/actors-fixture.js';
import { Store } from '../../src/db/store.js';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';

/*
 * The evidence pack with actors, crawlers and IP context: the Actors and Client IP context sections
 * in report.html and report.md, the new evidence columns, and the enrichment files in the manifest.
 */

const HOSTILE = '<img src=x onerror=alert(1)>|[x](http://evil.example)';

describe('report: actors and IP context', () => {
  const casePath = makeCase(caseYaml(ENRICHMENT), {
    ...FILES,
    'access.log': `${LOG}\n${combinedLine({ ip: '198.51.100.8', user: HOSTILE, time: '17/Mar/2015:09:00:00 +0000', path: '/d/D1' })}\n`,
  });
  const out = path.join(tempDir(), 'pack');
  let made = false;
  const pack = (file: string) => {
    if (!made) {
      const r = runCli(['report', casePath, '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
      assert.equal(r.code, 0, r.stderr);
      made = true;
    }
    return readFileSync(path.join(out, file), 'utf8');
  };

  test('when actors made the accesses then report.md lists them with attempts, sessions and the crawler stated apart', () => {
    const md = pack('report.md');
    const actors = md.slice(md.indexOf('## Actors'), md.indexOf('## Client IP context'));
    assert.match(actors, /^5 actors made the unauthorized accesses/m);
    assert.match(actors, /^\| mallory \| account \| 3 \| 3 \| 5 \| 2 \| 2 \| 2 \| 1 \| 2015-03-16T10:00:00Z \| 2015-03-16T11:00:00Z \| walk of 3 consecutive ids \|  \|$/m, 'a burst under min_documents is not named');
    assert.ok(actors.includes('| 66.249.66.1 | anonymous IP | 2 | 2 | 2 | 0 | 1 | 1 | 1 | 2015-03-16T12:00:00Z | 2015-03-16T12:30:00Z |  | Googlebot/ (2) |'));
    assert.match(actors, /2 unauthorized accesses by 1 actor came with a known crawler's user agent .*: they are counted in the figures/);
  });

  test('when the case names enrichment files then the IP context section gives AS, organisation, country and lists per client IP', () => {
    const md = pack('report.md');
    const ctx = md.slice(md.indexOf('## Client IP context'), md.indexOf('## Detectors'));
    assert.match(ctx, /^\| 66\.249\.66\.1 \| 2 \| AS15169 \| GOOGLE \| US \| crawler-nets \|$/m);
    assert.match(ctx, /^\| 192\.0\.2\.99 \| 1 \|  \|  \|  \| tor-exits \|$/m);
    assert.match(ctx, /: 2 of 6 client IPs are on a list\./);
  });

  test('when an account holds markup then report.html and report.md show it as text', () => {
    const html = pack('report.html');
    assert.match(html, /<section id="actors"><h2>Actors<\/h2>/);
    assert.ok(!html.includes('<img src=x'), 'no markup from a log reaches the page');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;|[x](http://evil.example)'));
    const md = pack('report.md');
    assert.ok(md.includes('\\<img src=x onerror=alert(1)\\>\\|\\[x\\](http:\\/\\/evil.example)'));
  });

  test('when an access comes with context then evidence.csv carries crawler, asn, as_org, country and ip_lists', async () => {
    const cols = pack('evidence.csv').split('\n')[0]!.split(',');
    assert.deepEqual(cols.slice(cols.indexOf('referer') + 1, cols.indexOf('source')), ['crawler', 'asn', 'as_org', 'country', 'ip_lists']);
    const store = await Store.memory();
    try {
      const rows = await store.all<{ client_ip: string; crawler: string | null; asn: string | null; as_org: string | null; country: string | null; ip_lists: string | null }>(
        `SELECT DISTINCT client_ip, crawler, asn, as_org, country, ip_lists FROM read_csv($f, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',') ORDER BY client_ip`,
        { f: path.join(out, 'evidence.csv') },
      );
      const at = (ip: string) => rows.find((r) => r.client_ip === ip)!;
      assert.deepEqual(at('66.249.66.1'), { client_ip: '66.249.66.1', crawler: 'Googlebot/', asn: 'AS15169', as_org: 'GOOGLE', country: 'US', ip_lists: 'crawler-nets' });
      assert.equal(at('192.0.2.99').ip_lists, 'tor-exits');
      assert.equal(at('203.0.113.50').ip_lists, null);
      assert.equal(at('203.0.113.50').asn, null);
    } finally {
      store.close();
    }
  });

  test('when the pack is verified with --case after a list changed then the list is named', () => {
    const manifest = JSON.parse(pack('manifest.json')) as { inputs: { role: string; path: string; sha256: string }[] };
    const roles = manifest.inputs.map((i) => `${i.role} ${i.path}`);
    assert.ok(roles.includes('enrichment.asn ip2asn.tsv'));
    assert.ok(roles.includes('enrichment.lists.tor-exits tor.txt'));
    assert.equal(runCli(['verify', out, '--case', casePath]).code, 0);
    writeFileSync(path.join(path.dirname(casePath), 'tor.txt'), '192.0.2.98\n');
    const r = runCli(['verify', out, '--case', casePath]);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /tor\.txt/);
  });
});
