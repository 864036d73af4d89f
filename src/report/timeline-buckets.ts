/**
 * The bucket a timeline draws one bar per, chosen from the span it shows, so a 14-minute incident
 * reads in minutes and a two-year one in weeks. Shared by report.html/report.md and the dashboard.
 */
export const BUCKET_UNITS = ['minute', 'hour', 'day', 'week'] as const;
export type BucketUnit = (typeof BUCKET_UNITS)[number];

export const UNIT_MS: Readonly<Record<BucketUnit, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

/** Bars a timeline aims for: at most MAX_BARS, and at least MIN_BARS where a finer unit allows it. */
export const MIN_BARS = 10;
export const MAX_BARS = 200;

export interface BucketChoice {
  readonly unit: BucketUnit;
  /** Units per bar. */
  readonly step: number;
}

/**
 * The finest unit that draws the span in at most MAX_BARS bars. When the next coarser unit would
 * draw fewer than MIN_BARS (a 9-day span: 216 hours, 9 days), the finer unit is kept with several
 * units per bar (2 hours); past MAX_BARS weeks, weeks are grouped the same way.
 */
export function chooseBucket(spanMs: number): BucketChoice {
  const bars = (unit: BucketUnit) => Math.max(1, Math.ceil(Math.max(0, spanMs) / UNIT_MS[unit]));
  for (let i = 0; i < BUCKET_UNITS.length; i++) {
    const unit = BUCKET_UNITS[i]!;
    const n = bars(unit);
    if (n <= MAX_BARS) return { unit, step: 1 };
    const coarser = BUCKET_UNITS[i + 1];
    if (!coarser || bars(coarser) < MIN_BARS) return { unit, step: Math.ceil(n / MAX_BARS) };
  }
  throw new Error('unreachable: the last unit always returns');
}

/** "minute", "2 hours", "week": what one bar spans, for captions. */
export function bucketName(c: BucketChoice): string {
  return c.step === 1 ? c.unit : `${c.step} ${c.unit}s`;
}
