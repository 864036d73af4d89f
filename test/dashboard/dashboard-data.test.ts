import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadCaseFile, type CaseFile } from '../../src/case/case-file.js';
import { DashboardData, planTimeline } from '../../src/dashboard/dashboard-data.js';
import type { Snapshot } from '../../src/dashboard/dashboard-source.js';
import { Store } from '../../src/db/store.js';
import { ingestCase } from '../../src/ingest/ingest.js';
import { ROOT, analyzeJson, tempDir } from '../helpers.js';
import { largeCase } from '../report/pack-fixtures.js';

/** A fresh copy of a sample, so its store starts empty and the checkout stays clean. */
function copySample(name: string, yaml?: (text: string) => string): string {
  const dir = path.join(tempDir(), name);
  cpSync(path.join(ROOT, 'sample-logs', name), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  const casePath = path.join(dir, 'case.yaml');
  if (yaml) writeFileSync(casePath, yaml(readFileSync(casePath, 'utf8')));
  return casePath;
}

describe('dashboard data layer on the ticketviewer sample', () => {
  let caseFile: CaseFile;
  let store: Store;
  let data: DashboardData;
  let snap: Snapshot;

  before(async () => {
    caseFile = loadCaseFile(copySample('ticketviewer'));
    store = await Store.open(path.join(caseFile.dir, '.breachscope'));
    await ingestCase(store, caseFile);
    data = new DashboardData(store, caseFile);
    snap = await data.snapshot(caseFile.window);
  });
  after(() => {
    store.close();
    rmSync(path.dirname(caseFile.dir), { recursive: true, force: true });
  });

  test('when the snapshot is taken then its figures are the ones analyze --json prints', () => {
    const cli = analyzeJson(copySample('ticketviewer'));
    const s = snap.analysis.summary;
    assert.deepEqual([s.unauthorized_accesses, s.documents, s.unique_ips, s.affected_subjects], [235, 119, 36, 71]);
    assert.deepEqual(snap.analysis.summary, cli.summary);
    assert.deepEqual(snap.analysis.detectors, cli.detectors);
    const cliTop = (cli as unknown as { top: typeof snap.analysis.top }).top;
    assert.deepEqual(snap.analysis.top.ips.slice(0, 10), cliTop.ips, 'the panel lists the same top rows, only more of them');
    assert.equal(snap.analysis.top.ips.length, 30);
  });

  test('when the timeline is built then it has a bucket per day of the window adding up to the accesses', () => {
    const t = snap.timeline!;
    assert.equal(t.unit, 'day');
    assert.equal(t.start, '2015-03-16T00:00:00Z');
    assert.equal(t.counts.length, 28);
    assert.equal(t.counts.reduce((a, b) => a + b, 0), 235);
  });

  test('when a panel is filtered then its rows are the same rows analyze counts, restricted to matching keys', async () => {
    const rows = await data.topMatching('ips', '203.0.113.', 30);
    assert.ok(rows.length > 3);
    assert.ok(rows.every((r) => r.key.includes('203.0.113.')));
    for (const r of rows) {
      const same = snap.analysis.top.ips.find((t) => t.key === r.key);
      if (same) assert.deepEqual(r, { key: same.key, accesses: same.accesses, documents: same.documents, ips: same.ips, accounts: same.accounts });
    }
    assert.deepEqual(await data.topMatching('accounts', "' OR 1=1 --", 30), [], 'text is bound, never pasted into SQL');
  });

  test('when an IP is drilled into then its events number what its panel row says, a page at a time', async () => {
    const ip = snap.analysis.top.ips[0]!;
    const all = await data.events({ panel: 'ips', key: ip.key }, '', 0, 100);
    assert.equal(all.total, ip.accesses);
    assert.equal(all.rows.length, ip.accesses);
    assert.ok(all.rows.every((r) => r.client_ip === ip.key));
    const times = all.rows.map((r) => r.time!);
    assert.deepEqual(times, [...times].sort());
    const page = await data.events({ panel: 'ips', key: ip.key }, '', 30, 10);
    assert.deepEqual(page.rows, all.rows.slice(30, 40));
    assert.equal(page.total, ip.accesses);
  });

  test('when a detector is drilled into then its findings are listed, as many as it counted', async () => {
    const d = snap.analysis.detectors.find((x) => x.id === 'document_access_attempts')!;
    const page = await data.events({ panel: 'detectors', key: d.id }, '', 0, 5);
    assert.equal(page.total, d.findings);
    assert.equal(page.rows.length, Math.min(5, d.findings!));
    assert.ok(page.rows.every((r) => r.detectors === d.id && [401, 403, 404].includes(r.status!)));
  });

  test('when the events are filtered by text then only events holding it are counted', async () => {
    const account = snap.analysis.top.accounts[0]!;
    const all = await data.events({ panel: 'accounts', key: account.key }, '', 0, 100);
    const some = await data.events({ panel: 'accounts', key: account.key }, 'it4056131', 0, 100);
    assert.ok(some.total > 0 && some.total < all.total);
    assert.equal(some.total, all.rows.filter((r) => r.document!.toLowerCase().includes('it4056131')).length);
  });

  test('when an event is opened then its raw line is the file line it names, with the file SHA-256', async () => {
    const ip = snap.analysis.top.ips[0]!;
    const { rows } = await data.events({ panel: 'ips', key: ip.key }, '', 0, 1);
    const d = (await data.event(rows[0]!.event_id))!;
    const bytes = readFileSync(path.join(caseFile.dir, d.file));
    assert.equal(d.sha256, createHash('sha256').update(bytes).digest('hex'));
    const text = (d.file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    assert.equal(text.split('\n')[d.line - 1], d.raw);
    assert.equal(d.client_ip, ip.key);
    assert.ok(d.findings.some((f) => f.counts_as === 'disclosure' && f.reason.length > 20));
    assert.equal(await data.event(999), undefined);
  });

  test('when the window changes then the figures are those of analyze on a case file with that window', async () => {
    const window = { from: new Date('2015-03-20T00:00:00Z'), to: new Date('2015-04-01T00:00:00Z') };
    const narrowed = await data.snapshot(window);
    const cli = analyzeJson(copySample('ticketviewer', (y) => y.replace('from: 2015-03-16T00:00:00Z', 'from: 2015-03-20T00:00:00Z').replace('to: 2015-04-13T00:00:00Z', 'to: 2015-04-01T00:00:00Z')));
    assert.deepEqual(narrowed.analysis.summary, cli.summary);
    assert.ok(narrowed.analysis.summary.unauthorized_accesses < 235);
    assert.equal(narrowed.timeline!.counts.length, 12);
    await data.snapshot(caseFile.window);
  });
});

describe('dashboard event view of a log the fast path read (its text not stored)', () => {
  test('when events are opened then each raw line is read again from the log, and once the log changed the view fails instead of showing another line', async () => {
    const caseFile = loadCaseFile(largeCase(40));
    const store = await Store.open(path.join(caseFile.dir, '.breachscope'));
    try {
      const [report] = await ingestCase(store, caseFile);
      assert.equal(report!.reader, 'fast');
      const data = new DashboardData(store, caseFile);
      await data.snapshot(caseFile.window);
      const log = path.join(caseFile.dir, 'logs', 'access.log');
      const lines = readFileSync(log, 'utf8').split('\n');
      const { rows } = await data.events({ panel: 'ips', key: (await data.snapshot(caseFile.window)).analysis.top.ips[0]!.key }, '', 0, 5);
      for (const r of rows) {
        const d = (await data.event(r.event_id))!;
        assert.equal(d.raw, lines[d.line - 1]);
      }
      // Same length, other bytes, after the run read it: a fresh snapshot quotes again and refuses.
      writeFileSync(log, readFileSync(log, 'utf8').replace('visitor1 ', 'visitor9 '));
      await data.snapshot(caseFile.window);
      await assert.rejects(data.event(rows[0]!.event_id), /a log file changed after this run read it/);
    } finally {
      store.close();
    }
  });
});

describe("dashboard timeline buckets: the report's choice, cut in UTC", () => {
  test('when the window spans 14 minutes then the dashboard has minute buckets', () => {
    const p = planTimeline(new Date('2015-03-16T10:00:30Z'), new Date('2015-03-16T10:14:30Z'));
    assert.deepEqual(p, { unit: 'minute', step: 1, start: new Date('2015-03-16T10:00:00Z'), buckets: 15 });
  });

  test('when the window spans 5 days then the dashboard has hour buckets', () => {
    const p = planTimeline(new Date('2015-03-16T00:00:00Z'), new Date('2015-03-21T00:00:00Z'));
    assert.deepEqual(p, { unit: 'hour', step: 1, start: new Date('2015-03-16T00:00:00Z'), buckets: 120 });
  });

  test('when the window spans 2 years then the dashboard has week buckets starting on a Monday', () => {
    const p = planTimeline(new Date('2013-01-02T12:00:00Z'), new Date('2015-01-02T12:00:00Z'));
    assert.equal(p.unit, 'week');
    assert.equal(p.start.toISOString(), '2012-12-31T00:00:00.000Z');
    assert.equal(p.buckets, 105);
  });
});
