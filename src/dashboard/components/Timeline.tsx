import { Box, Text } from 'ink';
import type { Timeline as TimelineData } from '../dashboard-source.js';
import { UNIT_MS, type BucketUnit } from '../../report/timeline-buckets.js';
import { cell, count } from '../layout.js';

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** A bucket start in UTC: minutes and hours with their time, days and weeks as a date. */
function label(t: number, unit: BucketUnit): string {
  const iso = new Date(t).toISOString();
  if (unit === 'minute') return iso.slice(5, 16).replace('T', ' ');
  if (unit === 'hour') return `${iso.slice(5, 13).replace('T', ' ')}h`;
  return iso.slice(0, 10);
}

export interface TimelineProps {
  readonly timeline: TimelineData | undefined;
  readonly width: number;
}

/** Buckets fitted to `width` columns: wide buckets when there are few, merged ones when there are many. */
export function fitBuckets(t: Pick<TimelineData, 'counts'>, width: number): { columns: number[]; bucketsPerColumn: number; columnsPerBucket: number } {
  const n = t.counts.length;
  if (n <= width) {
    const per = Math.max(1, Math.floor(width / n));
    return { columns: t.counts.flatMap((c) => Array.from({ length: per }, () => c)), bucketsPerColumn: 1, columnsPerBucket: per };
  }
  const merge = Math.ceil(n / width);
  const columns: number[] = [];
  for (let i = 0; i < n; i += merge) columns.push(t.counts.slice(i, i + merge).reduce((a, b) => a + b, 0));
  return { columns, bucketsPerColumn: merge, columnsPerBucket: 1 };
}

/**
 * Which columns fall wholly inside a coverage gap (no log kept then): their empty bars are drawn as
 * ░, so a quiet stretch is not read as a confident zero.
 */
export function gapColumns(t: TimelineData, fit: ReturnType<typeof fitBuckets>): boolean[] {
  const unitMs = UNIT_MS[t.unit] * t.step;
  const start = new Date(t.start).getTime();
  const gaps = t.gaps.map((g) => [new Date(g.from).getTime(), new Date(g.to).getTime()] as const);
  return fit.columns.map((_, i) => {
    const bucket = Math.floor(i / fit.columnsPerBucket) * fit.bucketsPerColumn;
    const from = start + bucket * unitMs;
    const to = from + fit.bucketsPerColumn * unitMs;
    return gaps.some(([g0, g1]) => g0 <= from && to <= g1);
  });
}

/** Unauthorized accesses over the window, two rows of eighth blocks high, with its span and peak below. */
export function Timeline({ timeline, width }: TimelineProps) {
  if (!timeline || timeline.counts.every((c) => c === 0)) {
    return (
      <Box flexDirection="column" width={width} height={3}>
        <Text wrap="truncate-end">{cell('timeline: no unauthorized access in the window', width)}</Text>
      </Box>
    );
  }
  const fit = fitBuckets(timeline, width);
  const peak = Math.max(...fit.columns);
  const levels = fit.columns.map((c) => (c === 0 ? 0 : Math.max(1, Math.round((c / peak) * 16))));
  const upper = levels.map((l) => BLOCKS[Math.max(0, l - 8)]).join('');
  const gap = gapColumns(timeline, fit);
  const lower = levels.map((l, i) => (l === 0 && gap[i] ? '░' : BLOCKS[Math.min(8, l)])).join('');
  const units = timeline.step * fit.bucketsPerColumn;
  const unitMs = UNIT_MS[timeline.unit];
  const start = new Date(timeline.start).getTime();
  const first = label(start, timeline.unit);
  const last = label(start + (timeline.counts.length - 1) * timeline.step * unitMs, timeline.unit);
  const per = `per ${units === 1 ? timeline.unit : `${units} ${timeline.unit}s`} (UTC), peak ${count(peak)}${gap.some(Boolean) ? ', ░ no logs' : ''}`;
  const room = Math.max(0, fit.columns.length * 1 - first.length - last.length);
  const middle = per.length + 2 <= room ? per.padStart(Math.floor((room + per.length) / 2)).padEnd(room) : ' '.repeat(room);
  return (
    <Box flexDirection="column" width={width} height={3}>
      <Text color="red" wrap="truncate-end">
        {upper}
      </Text>
      <Text color="red" wrap="truncate-end">
        {lower}
      </Text>
      <Text dimColor wrap="truncate-end">
        {`${first}${middle}${last}`}
      </Text>
    </Box>
  );
}
