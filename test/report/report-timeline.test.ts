import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/db/store.js';
import { timelineChart } from '../../src/report/report-timeline.js';
import { tempDir } from '../helpers.js';

const NO_MARKS = { window: { from: null, to: null }, gaps: [], show: (t: string) => t };

/** `unauthorized` as analyze leaves it, with only the column the timeline reads: one access per `every` from `from` to `to`. */
async function accesses(store: Store, from: string, to: string, every: string): Promise<void> {
  await store.run('CREATE OR REPLACE TEMP TABLE unauthorized AS SELECT t AS time FROM generate_series($from::TIMESTAMPTZ, $to::TIMESTAMPTZ, $every::INTERVAL) AS g(t)', { from, to, every });
}

describe('report timeline buckets in SQL', () => {
  let store: Store;
  before(async () => {
    store = await Store.open(tempDir());
  });
  after(() => store.close());

  test('when the exposure spans 14 minutes then there are 15 minute bars labelled with the display zone time', async () => {
    await accesses(store, '2015-03-16T10:00:00Z', '2015-03-16T10:14:00Z', '30 seconds');
    await store.run("DELETE FROM unauthorized WHERE time >= '2015-03-16T10:05:00Z' AND time < '2015-03-16T10:07:00Z'");
    const c = (await timelineChart(store, 'Asia/Kolkata', NO_MARKS))!;
    assert.equal(c.bucket, 'minute');
    assert.equal(c.bars.length, 15);
    assert.equal(c.bars[0]!.label, '2015-03-16 15:30', 'UTC+05:30');
    assert.equal(c.bars[0]!.start, '2015-03-16T10:00:00Z');
    assert.equal(c.bars[14]!.label, '2015-03-16 15:44');
    assert.equal(c.end, '2015-03-16T10:15:00Z');
    assert.deepEqual(c.bars.slice(4, 8).map((b) => b.value), [2, 0, 0, 2], 'empty minutes are filled with zero bars');
    assert.equal(c.bars.reduce((a, b) => a + b.value, 0), 25);
    assert.match(c.title, /per minute \(Asia\/Kolkata\)/);
  });

  test('when the exposure spans 5 days then there are hour bars, local hours across a zone change', async () => {
    await accesses(store, '2015-03-27T00:00:00Z', '2015-04-01T00:00:00Z', '20 minutes');
    const c = (await timelineChart(store, 'Europe/London', NO_MARKS))!;
    assert.equal(c.bucket, 'hour');
    assert.equal(c.bars[0]!.label, '2015-03-27 00:00');
    // 29 March 2015, 01:00 GMT became 02:00 BST: the local hour 01:00 does not exist that day.
    assert.ok(!c.bars.some((b) => b.label === '2015-03-29 01:00'), 'no bar for a local hour that never was');
    assert.equal(c.bars.find((b) => b.label === '2015-03-29 02:00')?.start, '2015-03-29T01:00:00Z');
    assert.equal(c.bars[c.bars.length - 1]!.label, '2015-04-01 01:00', 'the last access, at midnight UTC, is 01:00 BST');
    assert.equal(c.bars.length, 5 * 24 + 1);
    assert.equal(c.bars.reduce((a, b) => a + b.value, 0), 5 * 72 + 1);
  });

  test('when the exposure spans 2 years then there are week bars starting on Mondays', async () => {
    await accesses(store, '2013-01-02T12:00:00Z', '2015-01-02T12:00:00Z', '1 day');
    const c = (await timelineChart(store, undefined, NO_MARKS))!;
    assert.equal(c.bucket, 'week');
    assert.equal(c.zone, 'UTC');
    assert.equal(c.bars[0]!.label, '2012-12-31', 'the Monday of the first access');
    assert.ok(c.bars.every((b) => new Date(`${b.label}T00:00:00Z`).getUTCDay() === 1), 'every bar starts on a Monday');
    assert.ok(c.bars.length >= 104 && c.bars.length <= 106, `${c.bars.length} bars`);
    assert.equal(c.bars.reduce((a, b) => a + b.value, 0), 731);
    assert.equal(Math.max(...c.bars.map((b) => b.value)), 7);
  });

  test('when the window edges and a gap fall on the chart then they are marks, clipped to it; others are left out', async () => {
    await accesses(store, '2015-03-16T10:00:00Z', '2015-03-16T10:14:00Z', '1 minute');
    const c = (await timelineChart(store, undefined, {
      window: { from: '2015-03-16T10:00:00Z', to: '2015-03-20T00:00:00Z' },
      gaps: [
        { source: 'web', from: '2015-03-16T09:00:00Z', to: '2015-03-16T10:03:00Z' },
        { source: 'app', from: '2015-03-17T00:00:00Z', to: '2015-03-18T00:00:00Z' },
      ],
      show: (t) => `<${t}>`,
    }))!;
    assert.deepEqual(c.marks, [
      { at: '2015-03-16T10:00:00Z', label: 'The window starts at <2015-03-16T10:00:00Z>.' },
      { at: '2015-03-16T10:00:00Z', to: '2015-03-16T10:03:00Z', label: 'Gap: no events from source web from <2015-03-16T09:00:00Z> to <2015-03-16T10:03:00Z>.' },
    ]);
  });

  test('when there is no unauthorized access then there is no chart', async () => {
    await store.run('CREATE OR REPLACE TEMP TABLE unauthorized (time TIMESTAMPTZ)');
    assert.equal(await timelineChart(store, 'Europe/London', NO_MARKS), null);
  });
});
