import type { Store } from '../db/store.js';

export interface PathShape {
  readonly shape: string;
  readonly requests: number;
}

/**
 * The most frequent path shapes of a relation with a `path` column: query dropped, segments
 * holding a digit collapsed to {id}. Placeholder until route discovery lands.
 */
export async function topPathShapes(store: Store, relation: string, limit: number): Promise<PathShape[]> {
  return store.all<PathShape & Record<string, string | number>>(
    `SELECT shape, count(*) AS requests FROM (
       SELECT '/' || array_to_string(list_transform(list_filter(string_split(split_part(path, '?', 1), '/'), x -> x <> ''),
         x -> CASE WHEN regexp_matches(x, '[0-9]') THEN '{id}' ELSE x END), '/') AS shape
       FROM ${relation}
     ) GROUP BY shape ORDER BY requests DESC, shape LIMIT $n`,
    { n: limit },
  );
}
