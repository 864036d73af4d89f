import type { Store } from '../db/store.js';
/**
 * How sure a counted access is that the document left the server. Both tiers count in the
 * headline figure; the split says how many may have been cut short.
 * - `confirmed`: a 2xx other than 206 with body bytes above 0, or bytes the format does not give.
 * - `partial`: 206 (part of the document), or 2xx with 0 body bytes (a client that aborted).
 */
export const ACCESS_TIERS = ['confirmed', 'partial'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

/**
 * Formats whose `-` in the bytes field means no body bytes (Apache's `%b`, S3's bytes_sent), so a
 * NULL there is a known zero. Elsewhere NULL means the format or line does not say: unknown.
 */
const DASH_IS_ZERO = ['combined', 'common', 'vhost_combined', 'aws_s3'] as const;

/** The tier of a counted access `r`, whose stored segment is `f` (the `files` row of r.file_id). */
export function accessTierSql(r: string, f: string): string {
  const zeroBytes = `(${r}.bytes = 0 OR (${r}.bytes IS NULL AND ${f}.format IN (${DASH_IS_ZERO.map((x) => `'${x}'`).join(', ')})))`;
  return `CASE WHEN ${r}.status = 206 OR ${zeroBytes} THEN 'partial' ELSE 'confirmed' END`;
}

/** The rule, as the renderers state it beside the figures. */
export const TIER_RULE =
  'confirmed: a 2xx response with body bytes above 0, or bytes the log does not give; partial: 206 (part of the document) or a 2xx with 0 body bytes (a client that aborted, or a `-` size in Apache and S3 logs). Both count in the figures above; refused attempts are counted apart.';

/** The accesses per tier of the `unauthorized` table (its `tier` column): summary.tiers. */
export async function tierCounts(store: Store): Promise<{ confirmed: number; partial: number }> {
  const t = await store.one<{ confirmed: number; partial: number }>(
    "SELECT count(*) FILTER (WHERE tier = 'confirmed') AS confirmed, count(*) FILTER (WHERE tier = 'partial') AS partial FROM unauthorized",
  );
  return { confirmed: t.confirmed, partial: t.partial };
}
