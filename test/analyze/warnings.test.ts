import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { combinedLine, CORPUS, makeCase, runCli } from '../helpers.js';

/** Never a confident zero: a case that counts nothing, or covers part of its window, says so. */

interface Warned {
  summary: { unauthorized_accesses: number };
  warnings: { code: string; message: string }[];
  coverage: { from: string; to: string; sources: { source: string; events: number; events_in_window: number; hours_with_events: number; window_hours: number; gaps: { from: string; to: string; at: string }[] }[] };
}

function analyze(casePath: string): { json: Warned; stderr: string } {
  const r = runCli(['analyze', casePath, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return { json: JSON.parse(r.stdout) as Warned, stderr: r.stderr };
}

const SHOP = path.join(CORPUS, 'combined-plus', 'lnav__logfile_shop_access_log.0');

describe('warnings', () => {
  it('when no request matches the routes then exit 0 with no_document_requests on stderr and in --json, naming the most frequent path shapes', () => {
    const c = makeCase(`case: shop\nsources:\n  - {name: web, path: "${SHOP}", format: combined}\ndocuments:\n  routes: [/products/{doc}]\n`);
    const { json, stderr } = analyze(c);
    assert.equal(json.summary.unauthorized_accesses, 0);
    const w = json.warnings.find((x) => x.code === 'no_document_requests');
    assert.ok(w, JSON.stringify(json.warnings));
    assert.match(w.message, /none of the 1,000 access requests matched documents\.routes/);
    // 228 of the file's requests are /image/<id>/productModel/<size>, the most frequent shape.
    assert.match(w.message, /the most frequent path shapes are \/image\/\{id\}\/productModel\/\S+ \(228\)/);
    assert.match(stderr, /^warning: no_document_requests: none of the 1,000/m);
    const text = runCli(['analyze', c]);
    assert.match(text.stdout, /Before relying on these figures:\n {2}! no_document_requests/);
  });

  it('when the case has no documents section then it is accepted and says nothing can be counted', () => {
    const c = makeCase(`case: shop\nsources:\n  - {name: web, path: "${SHOP}", format: combined}\n`);
    const { json } = analyze(c);
    assert.match(json.warnings.find((x) => x.code === 'no_document_requests')?.message ?? '', /names no document routes/);
  });

  it('when the requested ids are not in the owners file then owners_not_requested shows both kinds of id', () => {
    const c = makeCase('case: t\nsources:\n  - {name: web, path: a.log, format: combined}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n', {
      'a.log': `${combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: '/docs/12' })}\n`,
      'owners.csv': 'document_id,owner_account\nDOC-12,alice\n',
    });
    const { json } = analyze(c);
    assert.match(json.warnings.find((x) => x.code === 'owners_not_requested')?.message ?? '', /'12'.*'DOC-12'/);
  });

  it('when a 24-hour window holds a log of 3 minutes then window_not_covered names the uncovered start and end', () => {
    const c = makeCase(`case: shop\nwindow: {from: 2019-01-21T12:00:00Z, to: 2019-01-22T12:00:00Z}\nsources:\n  - {name: web, path: "${SHOP}", format: combined}\ndocuments:\n  routes: ["/product/{doc}"]\n`);
    const { json } = analyze(c);
    const w = json.warnings.find((x) => x.code === 'window_not_covered');
    assert.ok(w, JSON.stringify(json.warnings));
    // 22/Jan/2019:03:56:14 +0330 is 00:26:14 UTC; the last line, 03:59:11 +0330, is 00:29:11 UTC.
    assert.match(w.message, /no events before 2019-01-22T00:26:14Z, the window opens 2019-01-21T12:00:00Z/);
    assert.match(w.message, /no events after 2019-01-22T00:29:11Z, the window closes 2019-01-22T12:00:00Z/);
    const web = json.coverage.sources[0]!;
    assert.equal(web.window_hours, 24);
    assert.equal(web.hours_with_events, 1);
    assert.deepEqual(web.gaps.map((g) => g.at), ['start', 'end']);
  });

  it('when a source lies wholly outside the window then source_outside_window says so', () => {
    const c = makeCase(`case: shop\nwindow: {from: 2020-01-01T00:00:00Z, to: 2020-01-02T00:00:00Z}\nsources:\n  - {name: web, path: "${SHOP}", format: combined}\ndocuments:\n  routes: ["/product/{doc}"]\n`);
    const { json } = analyze(c);
    const w = json.warnings.find((x) => x.code === 'source_outside_window');
    assert.match(w?.message ?? '', /source web: none of its 1,000 events \(2019-01-22T00:26:14Z to 2019-01-22T00:29:11Z\) is inside the window/);
    assert.equal(json.coverage.sources[0]!.events_in_window, 0);
  });
});
