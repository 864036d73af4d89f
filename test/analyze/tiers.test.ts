import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { analyzeJson, combinedLine, makeCase, runCli, tempDir, type AnalyzeJson } from '../helpers.js';

/* Confidence tiers: each counted access is confirmed or partial; both count, attempts apart. */
type Analysis = AnalyzeJson & { summary: { tiers: { confirmed: number; partial: number } }; context: { attempts: number } };

/** The cells of one CSV line (quoted cells may hold commas; "" is a quote). */
function cells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replaceAll('""', '"'));
}
const lines = (...l: string[]) => `${l.join('\n')}\n`;
const at = (minute: number) => `16/Mar/2015:10:${String(minute).padStart(2, '0')}:00 +0000`;
const CASE = 'window: {from: 2015-03-16T00:00:00Z, to: 2015-04-13T00:00:00Z}\nsources:\n  - {name: web, path: access.log, format: %FORMAT%}\ndocuments:\n  routes: ["/d/{doc}"]\n  owners: owners.csv\n';
const OWNERS = lines('document_id,owner_account', 'D1,A', 'D2,A', 'D3,A', 'D4,A', 'D5,A', 'D6,A');

function combinedCase(): string {
  const log = lines(
    combinedLine({ time: at(1), path: '/d/D1', status: 200, bytes: 1234 }), // confirmed
    combinedLine({ time: at(2), path: '/d/D2', status: 206, bytes: 500 }), // partial: a range
    combinedLine({ time: at(3), path: '/d/D3', status: 200, bytes: 0 }), // partial: no body
    combinedLine({ time: at(4), path: '/d/D4', status: 200, bytes: '-' }), // partial: Apache's %b writes - for 0
    combinedLine({ time: at(5), path: '/d/D5', method: 'HEAD', status: 200, bytes: 0 }), // not a disclosure
    combinedLine({ time: at(6), path: '/d/D6', status: 404, bytes: 0 }), // an attempt
  );
  return makeCase(CASE.replace('%FORMAT%', 'combined'), { 'access.log': log, 'owners.csv': OWNERS });
}

describe('confidence tiers', () => {
  test('when a log holds 200, 206, 0-byte, - size, HEAD and 404 lines then 1 is confirmed, 3 partial, and the attempt is apart', () => {
    const a = analyzeJson(combinedCase()) as Analysis;
    assert.equal(a.summary.unauthorized_accesses, 4, 'both tiers count in the headline');
    assert.deepEqual(a.summary.tiers, { confirmed: 1, partial: 3 });
    assert.equal(a.context.attempts, 1);
  });

  test('when a JSON log gives no bytes then the access is confirmed (unknown size), and 0 bytes is partial', () => {
    const log = lines(
      JSON.stringify({ time: '2015-03-16T10:01:00Z', remote_addr: '203.0.113.7', request: 'GET /d/D1 HTTP/1.1', status: 200 }),
      JSON.stringify({ time: '2015-03-16T10:02:00Z', remote_addr: '203.0.113.7', request: 'GET /d/D2 HTTP/1.1', status: 200, body_bytes_sent: 0 }),
      JSON.stringify({ time: '2015-03-16T10:03:00Z', remote_addr: '203.0.113.7', request: 'GET /d/D3 HTTP/1.1', status: 200, body_bytes_sent: '-' }),
    );
    const a = analyzeJson(makeCase(CASE.replace('%FORMAT%', 'jsonl'), { 'access.log': log, 'owners.csv': OWNERS })) as Analysis;
    assert.equal(a.summary.unauthorized_accesses, 3);
    // nginx never writes - for $body_bytes_sent: in JSON a - is a size the line does not give.
    assert.deepEqual(a.summary.tiers, { confirmed: 2, partial: 1 });
  });

  test('when a pack is written then evidence.csv gives each access its tier, and verify finds the column in parquet and arrow too', () => {
    const out = tempDir();
    const r = runCli(['report', combinedCase(), '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const csv = readFileSync(path.join(out, 'evidence.csv'), 'utf8').trim().split('\n');
    const header = cells(csv[0]!);
    const col = (name: string) => header.indexOf(name);
    const tierOf = Object.fromEntries(csv.slice(1).map(cells).map((c) => [c[col('document')], c[col('tier')]]));
    assert.deepEqual(tierOf, { D1: 'confirmed', D2: 'partial', D3: 'partial', D4: 'partial' });
    const v = runCli(['verify', out]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(readFileSync(path.join(out, 'report.md'), 'utf8'), /Confidence of the 4 counted accesses: 1 confirmed, 3 partial\./);
  });

  test('when analyze prints text then it states the tiers and that both count', () => {
    const r = runCli(['analyze', combinedCase()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Confidence: +1 confirmed, 3 partial \(206, or 0 body bytes\); both count in the figures/);
  });
});
