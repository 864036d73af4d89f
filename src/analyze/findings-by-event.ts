import type { CountsAs } from '../case/vocabulary.js';
import { quoteString } from '../db/sql.js';
import type { Store } from '../db/store.js';

/**
 * A relation of one row per event some detector found: `event_id`, `detectors` (ids, in order) and
 * `reason` (each detector's reason, joined by ` | `), over the `findings` table analyzeCase leaves.
 * Built with one join per detector (its smallest reason per event), not with a list or string_agg
 * per event: those aggregate states cannot spill, and a million counted accesses ran DuckDB out of
 * memory; joins and min() do spill.
 */
export async function findingsByEvent(store: Store, countsAs?: CountsAs): Promise<string> {
  const where = countsAs ? `counts_as = ${quoteString(countsAs)}` : 'true';
  const ids = (await store.all<{ detector: string }>(`SELECT DISTINCT detector FROM findings WHERE ${where} ORDER BY detector`)).map((r) => r.detector);
  if (ids.length === 0) return '(SELECT NULL::BIGINT AS event_id, []::VARCHAR[] AS detectors, NULL::VARCHAR AS reason WHERE false)';
  const joins = ids.map(
    (id, i) =>
      `LEFT JOIN (SELECT event_id, min(reason) AS reason, true AS hit FROM findings WHERE ${where} AND detector = ${quoteString(id)} GROUP BY event_id) r${i} ON r${i}.event_id = k.event_id`,
  );
  return `(SELECT k.event_id,
    list_filter([${ids.map((id, i) => `CASE WHEN r${i}.hit THEN ${quoteString(id)} END`).join(', ')}]::VARCHAR[], x -> x IS NOT NULL) AS detectors,
    nullif(concat_ws(' | ', ${ids.map((_, i) => `r${i}.reason`).join(', ')}), '') AS reason
  FROM (SELECT DISTINCT event_id FROM findings WHERE ${where}) k
  ${joins.join('\n  ')})`;
}
