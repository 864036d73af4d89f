// report.html's timeline at three incident lengths, drawn by headless Chromium (chromium.ts).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';
import { CHROMIUM, openInChromium } from './chromium.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;

/** A case where account M2 reads M1's documents once every `everyMs` from `from` for `spanMs`; the report.html path. */
function incidentReport(o: { from: string; spanMs: number; everyMs: number; zone: string }): { html: string; accesses: number } {
  const t0 = Date.parse(o.from);
  const lines: string[] = [];
  for (let t = t0, i = 0; t <= t0 + o.spanMs; t += o.everyMs, i++) lines.push(combinedLine({ user: 'M2', time: clf(new Date(t)), path: `/tickets/D${i % 20}/image` }));
  const owners = ['document_id,owner_account', ...Array.from({ length: 20 }, (_, i) => `D${i},M1`)].join('\n');
  const windowTo = new Date(t0 + o.spanMs + 3_600_000).toISOString();
  const c = makeCase(
    `case: Timeline check\ntimezone: ${o.zone}\nwindow:\n  from: ${o.from}\n  to: ${windowTo}\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\n`,
    { 'access.log': `${lines.join('\n')}\n`, 'owners.csv': `${owners}\n` },
  );
  const out = tempDir();
  const r = runCli(['report', c, '--out', out, '--generated-at', '2030-01-01T00:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  return { html: path.join(out, 'report.html'), accesses: lines.length };
}

interface ChartSeen {
  readonly titles: string[];
  readonly barHeights: number[];
  readonly peak: string;
  readonly ticks: { text: string; left: number; right: number }[];
  readonly svg: { left: number; right: number; width: number; height: number };
  readonly edges: number;
  readonly caption: string;
  readonly viewport: number;
}

const SEE_CHART = `(() => {
  const svg = document.querySelector('#timeline svg');
  const box = (el) => el.getBoundingClientRect();
  return {
    titles: [...svg.querySelectorAll('g.b > title')].map((t) => t.textContent),
    barHeights: [...svg.querySelectorAll('g.b > rect.bar')].map((r) => box(r).height),
    peak: svg.querySelector('text.peak').textContent,
    ticks: [...svg.querySelectorAll('text:not(.peak)')].filter((t) => t.textContent !== '0').map((t) => ({ text: t.textContent, left: box(t).left, right: box(t).right })),
    svg: (({ left, right, width, height }) => ({ left, right, width, height }))(box(svg)),
    edges: svg.querySelectorAll('g.edge').length,
    caption: document.querySelector('#timeline .caption').textContent,
    viewport: document.documentElement.clientWidth,
  };
})()`;

/** Opens the report and checks what every timeline must do: bars with their values, the peak, readable dated ticks. */
async function checkChart(name: string, r: { html: string; accesses: number }, t: { diagnostic: (s: string) => void }): Promise<ChartSeen> {
  const v = await openInChromium<ChartSeen>(r.html, { width: 1280, height: 1600 }, SEE_CHART);
  const shot = path.join(tmpdir(), `breachscope-timeline-${name}.png`);
  writeFileSync(shot, v.png);
  t.diagnostic(`screenshot: ${shot}`);
  assert.deepEqual(v.problems, [], 'console errors, exceptions or error log entries');
  const c = v.value;
  const values = c.titles.map((s) => Number(/: ([\d,]+) unauthorized access(es)?$/.exec(s)?.[1]?.replaceAll(',', '') ?? NaN));
  assert.ok(values.every((n) => Number.isInteger(n)), `every bar's hover text ends with its value: ${c.titles.slice(0, 3).join(' | ')}`);
  assert.equal(values.reduce((a, b) => a + b, 0), r.accesses, 'the bars add up to the accesses');
  assert.equal(c.peak, String(Math.max(...values)), 'the axis shows the peak');
  assert.ok(values.every((n, i) => (n > 0) === c.barHeights[i]! > 0), 'a bar is drawn exactly where there are accesses');
  assert.ok(c.svg.width > 600 && c.svg.height > 100 && c.svg.right <= c.viewport, `the chart is wide and fits the page: ${JSON.stringify(c.svg)}`);
  assert.ok(c.ticks.length >= 3, `at least three dated ticks: ${JSON.stringify(c.ticks)}`);
  for (let i = 1; i < c.ticks.length; i++) assert.ok(c.ticks[i - 1]!.right < c.ticks[i]!.left, `ticks do not overlap: ${JSON.stringify(c.ticks)}`);
  assert.ok(c.ticks.every((k) => k.left >= c.svg.left && k.right <= c.svg.right), 'ticks stay inside the chart');
  return c;
}

describe('report.html timeline in headless Chromium', { skip: existsSync(CHROMIUM) ? false : 'chromium not installed (apt-get install chromium)' }, () => {
  test('when the incident lasts 14 minutes then there is a bar per minute, labelled in the display zone, with the window start marked', { timeout: 90_000 }, async (t) => {
    const r = incidentReport({ from: '2015-03-16T10:00:00Z', spanMs: 14 * 60_000, everyMs: 20_000, zone: 'Asia/Kolkata' });
    const c = await checkChart('14-minutes', r, t);
    assert.equal(c.titles.length, 15);
    assert.equal(c.titles[0], '2015-03-16 15:30 (Asia/Kolkata), minute: 3 unauthorized accesses');
    assert.equal(c.ticks[0]!.text, '2015-03-16 15:30', 'the first tick has the date');
    assert.match(c.ticks[1]!.text, /^15:3\d$/, 'later ticks on the same day show the time');
    assert.equal(c.edges, 1, 'the window start is marked');
    assert.match(c.caption, /^One bar per minute from 2015-03-16 15:30 to 2015-03-16 15:44 \(Asia\/Kolkata\), 15 bars; the highest holds 3 unauthorized accesses\./);
  });

  test('when the incident lasts 5 days then there is a bar per hour', { timeout: 90_000 }, async (t) => {
    const r = incidentReport({ from: '2015-06-01T00:00:00Z', spanMs: 5 * 86_400_000, everyMs: 37 * 60_000, zone: 'Europe/London' });
    const c = await checkChart('5-days', r, t);
    assert.equal(c.titles.length, 120, "the last access, 7,178 minutes after the first, is in the 120th hour");
    assert.match(c.titles[0]!, /^2015-06-01 01:00 \(Europe\/London\), hour: /, 'BST is UTC+1');
    assert.ok(c.ticks.some((k) => k.text.startsWith('2015-06-03')), 'a later day is dated on the axis');
  });

  test('when the incident lasts 2 years then there is a bar per week', { timeout: 90_000 }, async (t) => {
    const r = incidentReport({ from: '2013-01-02T12:00:00Z', spanMs: 730 * 86_400_000, everyMs: 2 * 86_400_000 + 3_600_000, zone: 'Europe/London' });
    const c = await checkChart('2-years', r, t);
    assert.ok(c.titles.length >= 104 && c.titles.length <= 106, `${c.titles.length} weekly bars`);
    assert.match(c.titles[0]!, /^2012-12-31 \(Europe\/London\), week: /, 'the Monday of the first access');
    assert.ok(c.ticks.some((k) => k.text.startsWith('2014-')), 'the second year is dated on the axis');
  });
});
