import type { Store } from '../db/store.js';
import type { TimelineChart } from './section.js';
import { bucketName, chooseBucket, type BucketUnit } from './timeline-buckets.js';

/** DuckDB's interval constructor per unit: fixed names, never text from a case file or a log. */
const INTERVAL_OF: Readonly<Record<BucketUnit, string>> = { minute: 'to_minutes', hour: 'to_hours', day: 'to_days', week: 'to_weeks' };

/** How a bar's start is written in the display zone. */
export const LABEL_FORMAT: Readonly<Record<BucketUnit, string>> = { minute: '%Y-%m-%d %H:%M', hour: '%Y-%m-%d %H:%M', day: '%Y-%m-%d', week: '%Y-%m-%d' };

const ISO = `'%Y-%m-%dT%H:%M:%SZ'`;

export interface TimelineMarkInput {
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly gaps: readonly { readonly source: string; readonly from: string; readonly to: string }[];
  /** How an instant is written in a mark's text (the report's showTime in the display zone). */
  readonly show: (iso: string) => string;
}

/**
 * The bars' query. Days and weeks are cut in the display zone's wall-clock time (a day bar is a
 * local day, 23 or 25 hours at a clock change); minutes and hours are cut on the instant line
 * from the local midnight before the first access, so a clock change draws no bar for an hour
 * that never was and keeps apart the two hours that share a label.
 */
function bucketSql(unit: BucketUnit): string {
  const width = `${INTERVAL_OF[unit]}($step)`;
  const wall = unit === 'day' || unit === 'week';
  const key = wall ? `time_bucket(${width}, timezone($zone, time))` : `time_bucket(${width}, time, origin.o)`;
  const instant = (x: string) => (wall ? `timezone($zone, ${x})` : x);
  const local = (x: string) => (wall ? x : `timezone($zone, ${x})`);
  return `WITH origin AS (
       SELECT timezone($zone, date_trunc('day', timezone($zone, min(time)))) AS o FROM unauthorized
     ), counted AS (
       SELECT ${key} AS b, count(*) AS n FROM unauthorized, origin WHERE time IS NOT NULL GROUP BY b
     ), edges AS (SELECT min(b) AS b0, max(b) AS b1 FROM counted)
     SELECT strftime(${instant('g.b')}, ${ISO}) AS start, strftime(${local('g.b')}, $format) AS label, coalesce(counted.n, 0) AS value,
       strftime(${instant(`edges.b1 + ${width}`)}, ${ISO}) AS last_end
     FROM edges, generate_series(edges.b0, edges.b1, ${width}) AS g(b) LEFT JOIN counted ON counted.b = g.b
     ORDER BY g.b`;
}

/**
 * Unauthorized accesses per bucket over the exposure (first to last unauthorized access), counted
 * in DuckDB (bucketSql); generate_series fills the empty buckets, so JavaScript holds one row per
 * bar, never one per access. Null when there is no unauthorized access.
 */
export async function timelineChart(store: Store, zone: string | undefined, marks: TimelineMarkInput): Promise<TimelineChart | null> {
  const tz = zone ?? 'UTC';
  const span = await store.one<{ n: number; t0: number | null; t1: number | null }>(
    'SELECT count(*) AS n, epoch_ms(min(time)) AS t0, epoch_ms(max(time)) AS t1 FROM unauthorized WHERE time IS NOT NULL',
  );
  if (span.n === 0 || span.t0 === null || span.t1 === null) return null;
  const choice = chooseBucket(Number(span.t1) - Number(span.t0));
  const bars = await store.all<{ start: string; label: string; value: number; last_end: string }>(bucketSql(choice.unit), {
    zone: tz,
    step: choice.step,
    format: LABEL_FORMAT[choice.unit],
  });
  const end = bars[0]!.last_end;
  return {
    title: `Unauthorized accesses per ${bucketName(choice)} (${tz})`,
    bucket: choice.unit,
    step: choice.step,
    zone: tz,
    bars: bars.map((b) => ({ start: b.start, label: b.label, value: Number(b.value) })),
    end,
    marks: chartMarks(marks, bars[0]!.start, end),
  };
}

/** The window's edges and the coverage gaps that fall on the chart, clipped to it. */
function chartMarks(m: TimelineMarkInput, start: string, end: string): TimelineChart['marks'] {
  const show = m.show;
  const t0 = Date.parse(start);
  const t1 = Date.parse(end);
  const inside = (at: string) => Date.parse(at) >= t0 && Date.parse(at) <= t1;
  const out: { at: string; to?: string; label: string }[] = [];
  if (m.window.from && inside(m.window.from)) out.push({ at: m.window.from, label: `The window starts at ${show(m.window.from)}.` });
  if (m.window.to && inside(m.window.to)) out.push({ at: m.window.to, label: `The window ends at ${show(m.window.to)} (exclusive).` });
  for (const g of m.gaps) {
    if (Date.parse(g.to) < t0 || Date.parse(g.from) > t1) continue;
    const from = Date.parse(g.from) < t0 ? start : g.from;
    const to = Date.parse(g.to) > t1 ? end : g.to;
    out.push({ at: from, to, label: `Gap: no events from source ${g.source} from ${show(g.from)} to ${show(g.to)}.` });
  }
  return out;
}
