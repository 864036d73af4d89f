import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';

/*
 * People per country and category, and hours_to_notify. Confirmed: D1 (subjects P1 GB, P2 IE),
 * D2 (P2 IE again, P3 with no country: the owners file says FR for D2), D3 not read (P4 GB).
 */
interface Row { key: string; people: number; documents: number }
interface Notification { aware_at: string | null; reported_at: string; hours_to_notify: number | null; people_by_country: Row[]; people_by_category: Row[] }

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const HOSTILE = '<b>XX</b> | [x](http://e.example)';

function peopleCase(o: { awareAt?: boolean; hostile?: boolean } = {}): string {
  return makeCase(
    [
      'window: {from: 2015-03-16T00:00:00Z, to: 2015-04-13T00:00:00Z}',
      ...(o.awareAt ? ['aware_at: 2015-04-14T09:00:00Z'] : []),
      'sources:\n  - {name: web, path: access.log, format: combined}',
      'documents:\n  routes: ["/d/{doc}"]\n  owners: owners.csv\n  subjects: subjects.csv',
      '',
    ].join('\n'),
    {
      'access.log': lines(combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: '/d/D1' }), combinedLine({ time: '16/Mar/2015:10:01:00 +0000', path: '/d/D2' })),
      'owners.csv': lines('document_id,owner_account,country', 'D1,A,GB', 'D2,B,FR', 'D3,C,GB'),
      'subjects.csv': lines('document_id,subject_id,Country,category', 'D1,P1,GB,motorist', `D1,P2,${o.hostile ? `"${HOSTILE}"` : 'IE'},motorist`, 'D2,P2,IE,motorist', 'D2,P3,,appellant', 'D3,P4,GB,motorist'),
    },
  );
}

function notification(casePath: string, env: NodeJS.ProcessEnv = {}): Notification {
  const r = runCli(['analyze', casePath, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { notification: Notification }).notification;
}

describe('people by country and category', () => {
  test('when subjects carry a country then --json counts people per country, an empty one taken from the owners file', () => {
    const n = notification(peopleCase());
    assert.deepEqual(n.people_by_country, [
      { key: 'FR', people: 1, documents: 1 },
      { key: 'GB', people: 1, documents: 1 },
      { key: 'IE', people: 1, documents: 2 },
    ]);
    assert.deepEqual(n.people_by_category, [
      { key: 'motorist', people: 2, documents: 2 },
      { key: 'appellant', people: 1, documents: 1 },
    ]);
  });

  test('when aware_at is set then hours_to_notify runs to the report time (SOURCE_DATE_EPOCH), else it is null', () => {
    // 2015-04-17T10:30:00Z is 73.5 hours after 2015-04-14T09:00:00Z.
    const n = notification(peopleCase({ awareAt: true }), { SOURCE_DATE_EPOCH: String(Date.UTC(2015, 3, 17, 10, 30) / 1000) });
    assert.equal(n.hours_to_notify, 73.5);
    assert.equal(n.aware_at, '2015-04-14T09:00:00Z');
    assert.equal(n.reported_at, '2015-04-17T10:30:00Z');
    assert.equal(notification(peopleCase()).hours_to_notify, null);
  });

  test('when a pack is written then the Art. 33 section gives the hours and the countries, a hostile country as text', () => {
    const out = tempDir();
    const r = runCli(['report', peopleCase({ awareAt: true, hostile: true }), '--out', out, '--generated-at', '2015-04-16T09:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    assert.match(html, /<dt>Hours to notify<\/dt><dd>48 hours from awareness \(2015-04-14T09:00:00Z\) to this report \(2015-04-16T09:00:00Z\); 24 hours left of the 72<\/dd>/);
    assert.match(html, /<tr><td>GB<\/td><td class="n">1<\/td><td class="n">1<\/td><\/tr>/);
    assert.ok(html.includes('&lt;b&gt;XX&lt;/b&gt; | [x](http://e.example)'), 'the country is shown escaped');
    assert.doesNotMatch(html, /<b>XX/);
    assert.match(md, /^## People affected by country and category \(Art\. 33\)$/m);
    assert.ok(md.includes('| \\<b\\>XX\\</b\\> \\| \\[x\\](http:\\/\\/e.example) | 1 | 1 |'), md);
  });
});
