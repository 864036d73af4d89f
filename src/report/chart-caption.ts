import { plural } from '../util/plural.js';
import type { TimelineChart } from './section.js';
import { bucketName } from './timeline-buckets.js';

/** The sentence under a timeline, the same in report.html and report.md. */
export function chartCaption(c: TimelineChart): string {
  const peak = Math.max(0, ...c.bars.map((b) => b.value));
  const edges = c.marks.some((m) => m.to === undefined);
  const gaps = c.marks.some((m) => m.to !== undefined);
  const marked = [edges ? "dashed lines mark the window's edges" : '', gaps ? 'grey bands mark gaps in the events of a source' : ''].filter(Boolean);
  return (
    `One bar per ${bucketName({ unit: c.bucket, step: c.step })} from ${c.bars[0]?.label ?? '-'} to ${c.bars[c.bars.length - 1]?.label ?? '-'} (${c.zone}), ${plural(c.bars.length, 'bar')}; ` +
    `the highest holds ${plural(peak, 'unauthorized access', 'unauthorized accesses')}.` +
    (marked.length ? ` On the chart, ${marked.join('; ')}.` : '')
  );
}

/** A bar's hover text. */
export function barTitle(c: TimelineChart, bar: TimelineChart['bars'][number]): string {
  return `${bar.label} (${c.zone}), ${bucketName({ unit: c.bucket, step: c.step })}: ${plural(bar.value, 'unauthorized access', 'unauthorized accesses')}`;
}
