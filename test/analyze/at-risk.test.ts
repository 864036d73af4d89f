import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeJson, combinedLine, makeCase, runCli, tempDir, type AnalyzeJson } from '../helpers.js';

/*
 * At risk against confirmed (breach.at_risk), on one small case counted by hand:
 * owners D1 (A), D2 (B), D3 (C), D4 (D), D5 (A); subjects D1 P1 P2, D2 P2, D3 P3, D4 P4, D5 P5.
 * In the window: A reads D2 (confirmed), B reads D2 (owner), an anonymous client is refused D3 (403)
 * and served D9 (not in the owners file). Before the window: an anonymous client reads D4.
 */
type Analysis = AnalyzeJson & { at_risk: { documents: number; people: number; definition: string } };

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const at = (day: number, minute: number) => `${day}/Mar/2015:10:${String(minute).padStart(2, '0')}:00 +0000`;
const LOG = lines(
  combinedLine({ user: 'A', time: at(16, 1), path: '/d/D2' }),
  combinedLine({ user: 'B', time: at(16, 2), path: '/d/D2' }),
  combinedLine({ time: at(16, 3), path: '/d/D3', status: 403 }),
  combinedLine({ time: at(16, 4), path: '/d/D9' }),
  combinedLine({ time: at(10, 5), path: '/d/D4' }),
);
const OWNERS = lines('document_id,owner_account', 'D1,A', 'D2,B', 'D3,C', 'D4,D', 'D5,A');
const SUBJECTS = lines('document_id,subject_id', 'D1,P1', 'D1,P2', 'D2,P2', 'D3,P3', 'D4,P4', 'D5,P5');

function riskCase(o: { atRisk?: string; subjects?: boolean; files?: Record<string, string> } = {}): string {
  return makeCase(
    [
      'window: {from: 2015-03-16T00:00:00Z, to: 2015-04-13T00:00:00Z}',
      'sources:\n  - {name: web, path: access.log, format: combined}',
      `documents:\n  routes: ["/d/{doc}"]\n  owners: owners.csv${o.subjects ? '\n  subjects: subjects.csv' : ''}`,
      ...(o.atRisk ? [`breach:\n  at_risk: ${o.atRisk}`] : []),
      '',
    ].join('\n'),
    { 'access.log': LOG, 'owners.csv': OWNERS, 'subjects.csv': SUBJECTS, ...o.files },
  );
}

describe('breach.at_risk', () => {
  test('when at_risk is not set then every owners-file document is at risk, with its owner accounts, and confirmed stays 1 of each', () => {
    const a = analyzeJson(riskCase()) as Analysis;
    assert.equal(a.summary.documents, 1);
    assert.equal(a.summary.affected_subjects, 1);
    assert.deepEqual({ documents: a.at_risk.documents, people: a.at_risk.people }, { documents: 5, people: 4 });
    assert.match(a.at_risk.definition, /^every document in the owners file/);
  });

  test('when the case has a subjects file then the people at risk are the subjects of those documents', () => {
    const a = analyzeJson(riskCase({ subjects: true })) as Analysis;
    assert.deepEqual({ documents: a.at_risk.documents, people: a.at_risk.people }, { documents: 5, people: 5 });
    assert.equal(a.summary.affected_subjects, 1, 'P2 only: D2 is the one confirmed document');
  });

  test('when at_risk is accessed then only owners-file documents a request named inside the window count (D2 and the refused D3)', () => {
    const a = analyzeJson(riskCase({ atRisk: 'accessed' })) as Analysis;
    assert.deepEqual({ documents: a.at_risk.documents, people: a.at_risk.people }, { documents: 2, people: 2 });
    assert.match(a.at_risk.definition, /named inside the window/);
  });

  test('when at_risk names a file then its ids and the confirmed documents count, and the definition names the file', () => {
    const a = analyzeJson(riskCase({ atRisk: 'lists/exposed.csv', files: { 'lists/exposed.csv': lines('Document_ID,note', 'D1,first', ' D9 ,not an owners-file id', 'D1,again') } })) as Analysis;
    // D1 and D9 from the file, D2 confirmed: three documents; people A (D1) and B (D2).
    assert.deepEqual({ documents: a.at_risk.documents, people: a.at_risk.people }, { documents: 3, people: 2 });
    assert.match(a.at_risk.definition, /lists\/exposed\.csv/);
  });

  test('when the at_risk file does not exist then the case file is refused with exit 2 naming the key and its line', () => {
    const r = runCli(['analyze', riskCase({ atRisk: 'missing.csv' })]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /breach\.at_risk: file not found: missing\.csv/);
    assert.match(r.stderr, /case\.yaml:\d+ \(breach\.at_risk\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('when the at_risk file has no document_id column then analyze exits 2 saying what the header is', () => {
    const r = runCli(['analyze', riskCase({ atRisk: 'ids.csv', files: { 'ids.csv': lines('id', 'D1') } })]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /breach\.at_risk: .*ids\.csv has no document_id column/);
    assert.match(r.stderr, /its header is: id/);
  });

  test('when analyze prints text then it states confirmed and at-risk people with the definition', () => {
    const r = runCli(['analyze', riskCase()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Confirmed\/at risk: 1 person confirmed; at risk 4 people in 5 documents: every document in the owners file/);
  });

  test('when a pack is written then report.html and report.md give confirmed and at-risk figures side by side with the definition', () => {
    const out = tempDir();
    const r = runCli(['report', riskCase(), '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    const definition = 'every document in the owners file, since the routes take any id; confirmed ones included; people: their owner accounts';
    assert.match(html, /<section id="at-risk"><h2>Confirmed and at risk<\/h2>/);
    assert.ok(html.includes('<tr><td>confirmed</td><td class="n">1</td><td class="n">1</td>'), 'confirmed: D2 and its owner B');
    assert.ok(html.includes(`<tr><td>at risk</td><td class="n">5</td><td class="n">4</td><td>${definition}</td></tr>`));
    assert.ok(md.includes(`| at risk | 5 | 4 | ${definition} |`), md.slice(0, 2000));
  });
});
