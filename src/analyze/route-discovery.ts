import type { Store } from '../db/store.js';
import { compileRoute, documentSql, RouteError } from '../case/routes.js';

/**
 * Route discovery: groups the access requests by path shape (id-like segments and query values
 * collapsed) and proposes `documents.routes` lines, for a case whose routes are wrong or empty.
 *
 * Everything proportional to the data happens in DuckDB: requests are first grouped by distinct
 * path; each distinct path is split into lists of segments and query parameters whose elements are
 * classified with regular expressions inside list functions (the path keeps its row, so nothing is
 * regrouped in order); then paths are grouped by shape. JavaScript only sees the top shapes.
 *
 * Classification of a segment (after percent-decoding), first rule that fits:
 * - `{id}`: all digits; a UUID; hex of 8+ characters; letters and digits of 6+ characters with at
 *   least one digit (`IT40561182`, `a1b2c3d4`); base64url of 16+ characters with a digit or with
 *   mixed case that is not camelCase words (`aGVsbG8td29ybGQ9PQ`);
 * - `{slug}`: a title of 3+ words joined by `-` or spaces, with at least one letter in any script
 *   (`samsung-microwave-ce288`, `NEVADA-1.7-(2016)`: real slugs hold dots, brackets, `*`);
 * - `pre{id}.ext`: an id as above with a letters-and-separator prefix (`inv-`, `statement_`)
 *   and/or a file extension of 1-8 characters (`12345.pdf` -> `{id}.pdf`);
 * - anything else is literal (`api`, `v1`, `tickets`, `image`), braces percent-encoded so that a
 *   literal can never read as a placeholder.
 * A query parameter whose value is id-like (or a file name with an id) becomes `name={id}`; other
 * parameters are left out, as routes ignore them; parameters are sorted by name.
 */

/**
 * The seam for which events are read. Any table or view with the columns `path`, `status` and
 * `role` works; only `role = 'access'` rows with a path are read. `events` is every event in the
 * store; pass the name of a view of the case's own events when the store holds more than the case.
 */
export const DEFAULT_EVENTS_RELATION = 'events';

export interface PathShapeCount {
  /** The path shape, as attacker-written text: make it terminal-safe before showing it. */
  readonly shape: string;
  readonly requests: number;
}

export interface RouteCandidate {
  /** 1-based path segment of the id (after the leading `/`), or undefined for a query parameter. */
  readonly segment: number | undefined;
  /** Query parameter holding the id, or undefined for a path segment. */
  readonly queryParameter: string | undefined;
  readonly distinctValues: number;
  /** Share of the distinct values that are document ids in the owners file; undefined without one. */
  readonly ownersMatchShare: number | undefined;
  /** The line for `documents.routes`, or undefined when the route language cannot express it. */
  readonly route: string | undefined;
}

export interface DiscoveredShape {
  readonly shape: string;
  readonly requests: number;
  readonly share2xx: number;
  /** Best first: owners-match share (in steps of 0.1), distinct values, then position. */
  readonly candidates: readonly RouteCandidate[];
}

export interface RouteDiscovery {
  readonly accessRequests: number;
  readonly shapes: number;
  /** Shapes with at least one id position: the ones that can be a document route. */
  readonly shapesWithIds: number;
  readonly top: readonly DiscoveredShape[];
}

export interface DiscoverOptions {
  /** See DEFAULT_EVENTS_RELATION. */
  readonly eventsRelation?: string;
  /** A table or view with a `document_id` column (the owners file), or undefined when there is none. */
  readonly ownersRelation?: string | undefined;
  /** How many shapes to return, best first. */
  readonly top: number;
}

/** Relation names are program-written (never user input); refuse anything but a plain name. */
function relation(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) throw new Error(`not a relation name: ${name}`);
  return name;
}

/** Percent-decoding as routes decode a capture; most segments have no `%` and skip the call. */
const decoded = (x: string) => `CASE WHEN contains(${x}, '%') THEN coalesce(try(url_decode(${x})), ${x}) ELSE ${x} END`;
const full = (x: string, re: string) => `regexp_full_match(${x}, '${re}')`;
const has = (x: string, re: string) => `regexp_matches(${x}, '${re}')`;

// Digits, UUID, hex of 8+, and letters+digits with a digit: one regex, so most segments cost one
// match; the 6-character floor for letters+digits is checked by length only when it matched.
const ID_RE = '[0-9]+|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{8,}|[A-Za-z0-9]*[0-9][A-Za-z0-9]*';

/** SQL: the (decoded) text `x` is an id: digits, UUID, hex 8+, letters+digits 6+, base64url 16+. */
function idLike(x: string): string {
  return `((${full(x, ID_RE)} AND (length(${x}) >= 6 OR ${full(x, '[0-9]+')}))
    OR (length(${x}) >= 16 AND ${full(x, '[A-Za-z0-9_-]{16,}={0,2}')}
        AND NOT ${full(x, '[a-z0-9]+([-_][a-z0-9]+)+')}
        AND (${has(x, '[0-9]')} OR (${has(x, '[A-Z]')} AND ${has(x, '[a-z]')} AND NOT ${full(x, '[A-Za-z][a-z]+([A-Z][a-z]+)+')}))))`;
}

const slugLike = (x: string) =>
  `((contains(${x}, '-') OR contains(${x}, ' ')) AND ${full(x, '[^-\\s]+([-\\s]+[^-\\s]+){2,}')} AND ${has(x, '\\p{L}')})`;

/** `inv-12345.pdf`: an optional letters-and-separator prefix (group 1), the id (2), an optional extension (3). */
const FORM_RE = '^([A-Za-z]+[-_])?(.+?)(\\.[A-Za-z0-9]{1,8})?$';
const mayHaveForm = (s: string) => `(contains(${s}, '.') OR contains(${s}, '-') OR contains(${s}, '_'))`;

/** A literal as shown in a shape: braces percent-encoded so that only placeholders have braces. */
const literal = (x: string) => `replace(replace(${x}, '{', '%7B'), '}', '%7D')`;

/**
 * CTEs ending in `shaped(shape, requests, ok, ids)`, one row per distinct path, where `ids` lists
 * each id position as `{seg, qkey, val}`: `val` is the decoded value a route's `{doc}` would capture
 * there. Each path is classified in its own row with list functions (no regrouping by position), so
 * the only large operations are the GROUP BYs, which DuckDB spills to disk beyond its memory limit.
 */
function shapeCtes(eventsRelation: string, withIds: boolean): string {
  return [pathCtes(eventsRelation), classifyCtes(), shapedCte(withIds)].join(',');
}

/** `paths` (distinct paths, split into segments and query pairs) and `decoded_paths`. */
function pathCtes(eventsRelation: string): string {
  // An absolute-form target (`GET http://host/path`) is reduced to its path, as routes do.
  const target = `CASE WHEN contains(path, '://') THEN regexp_replace(path, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', '') ELSE path END`;
  return `
  paths AS (
    SELECT requests, ok, string_split(split_part(t, '?', 1), '/') AS parts,
           CASE WHEN contains(t, '?') THEN string_split(substr(t, strpos(t, '?') + 1), '&') ELSE [] END AS kvs
    FROM (SELECT ${target} AS t, requests, ok
          FROM (SELECT path, count(*) AS requests, count(*) FILTER (WHERE status BETWEEN 200 AND 299) AS ok
                FROM ${relation(eventsRelation)} WHERE role = 'access' AND path IS NOT NULL GROUP BY path))
  ),
  -- Each segment becomes a struct carried from one list_transform to the next (s: as logged,
  -- d: decoded, k: kind, c: the id inside a prefix or before an extension): lambdas that read only
  -- their own element are several times cheaper than lambdas indexing other lists of the row.
  decoded_paths AS (
    SELECT requests, ok, list_transform(parts, lambda s: {'s': s, 'd': ${decoded('s')}}) AS segs,
           -- Sorted by name, then position: the first of each name is the one a route reads.
           list_sort(list_transform(kvs, lambda kv, i: {
             'k': split_part(kv, '=', 1), 'i': i,
             'd': ${decoded(`CASE WHEN contains(kv, '=') THEN split_part(substr(kv, strpos(kv, '=') + 1), '#', 1) ELSE '' END`)}})) AS qsorted
    FROM paths
  )`;
}

const formPart = (s: string, group: number) => `regexp_extract(${s}, '${FORM_RE}', ${group})`;

/** `kinded`, `cored`, `classified`: each segment's kind (literal, id, slug, an id inside a form) and the query ids. */
function classifyCtes(): string {
  const fileValue = (v: string) =>
    `(contains(${v}, '.') AND regexp_full_match(${v}, '.+\\.[A-Za-z0-9]{1,8}') AND ${idLike(`regexp_extract(${v}, '^(.+)\\.[A-Za-z0-9]{1,8}$', 1)`)})`;
  return `
  kinded AS (
    SELECT requests, ok, qsorted,
           list_transform(segs, lambda x: {'s': x.s, 'd': x.d, 'k': CASE
             WHEN x.s = '' THEN 'literal'
             WHEN ${idLike('x.d')} THEN 'id'
             WHEN ${slugLike('x.d')} THEN 'slug'
             WHEN ${mayHaveForm('x.s')} THEN 'form'
             ELSE 'literal' END}) AS segs
    FROM decoded_paths
  ),
  cored AS (
    SELECT requests, ok, qsorted,
           list_transform(
             list_transform(segs, lambda x: {'s': x.s, 'd': x.d, 'k': x.k, 'c': CASE WHEN x.k = 'form' THEN ${formPart('x.s', 2)} END}),
             lambda x: {'s': x.s, 'd': x.d, 'k': x.k, 'c': ${decoded('x.c')}}) AS segs
    FROM kinded
  ),
  classified AS (
    SELECT requests, ok,
           list_transform(segs, lambda x: {'s': x.s, 'c': x.c, 'k': CASE
             WHEN x.k <> 'form' THEN x.k WHEN ${idLike('x.c')} THEN 'id_in' ELSE 'literal' END,
             'val': CASE WHEN x.k = 'id' THEN x.d WHEN x.k = 'form' AND ${idLike('x.c')} THEN x.c END}) AS segs,
           list_filter(list_filter(qsorted, lambda p, j: p.k <> '' AND (j = 1 OR qsorted[j - 1].k <> p.k)),
                       lambda p: ${idLike('p.d')} OR ${fileValue('p.d')}) AS qids
    FROM cored
  )`;
}

/** `shaped(shape, requests, ok[, ids])`: the shape of each path, and where its ids stand. */
function shapedCte(withIds: boolean): string {
  return `
  shaped AS MATERIALIZED (
    SELECT requests, ok,
           array_to_string(list_transform(segs, lambda x: CASE x.k
             WHEN 'id' THEN '{id}' WHEN 'slug' THEN '{slug}'
             WHEN 'id_in' THEN ${literal(formPart('x.s', 1))} || '{id}' || ${literal(formPart('x.s', 3))}
             ELSE ${literal('x.s')} END), '/')
           || CASE WHEN len(qids) > 0 THEN '?' || array_to_string(list_transform(qids, lambda p: ${literal('p.k')} || '={id}'), '&') ELSE '' END AS shape${
             withIds
               ? `,
           list_concat(
             list_filter(list_transform(segs, lambda x, i: {'seg': (i - 1)::INTEGER, 'qkey': NULL::VARCHAR, 'val': x.val}), lambda x: x.val IS NOT NULL),
             list_transform(qids, lambda p: {'seg': NULL::INTEGER, 'qkey': p.k, 'val': p.d})) AS ids`
               : ''
           }
    FROM classified
  )`;
}

/**
 * The most requested path shapes (every shape, with or without an id position), for messages
 * such as "no document requests matched: the most requested shapes are ...".
 */
export async function topPathShapes(store: Store, eventsRelation: string = DEFAULT_EVENTS_RELATION, n = 10): Promise<PathShapeCount[]> {
  const rows = await store.all<{ shape: string; requests: number }>(
    `WITH ${shapeCtes(eventsRelation, false)}
     SELECT shape, sum(requests)::BIGINT AS requests FROM shaped GROUP BY shape ORDER BY requests DESC, shape LIMIT $n`,
    { n },
  );
  return rows.map((r) => ({ shape: r.shape, requests: r.requests }));
}

/** Shapes with id positions, best candidates first, with the route lines to paste. */
export async function discoverRoutes(store: Store, o: DiscoverOptions): Promise<RouteDiscovery> {
  const owners = o.ownersRelation === undefined ? undefined : relation(o.ownersRelation);
  const ownersJoin = owners
    ? `LEFT JOIN (SELECT DISTINCT document_id FROM ${owners}) o ON o.document_id = v.val`
    : 'LEFT JOIN (SELECT NULL::VARCHAR AS document_id) o ON false';
  const sql = `WITH ${shapeCtes(o.eventsRelation ?? DEFAULT_EVENTS_RELATION, true)},
  shape_stats AS MATERIALIZED (
    SELECT shape, sum(requests)::BIGINT AS requests, sum(ok)::BIGINT AS ok FROM shaped GROUP BY shape
  ),
  candidates AS MATERIALIZED (
    SELECT shape, seg, qkey, count(*)::BIGINT AS distinct_values, count(o.document_id)::BIGINT AS owned,
           ${owners ? 'count(o.document_id) / count(*)' : 'NULL::DOUBLE'} AS share
    FROM (SELECT DISTINCT shape, u.seg, u.qkey, u.val FROM (SELECT shape, unnest(ids) AS u FROM shaped)) v
    ${ownersJoin}
    GROUP BY shape, seg, qkey
  ),
  ranked AS (
    SELECT c.*, st.requests, st.ok,
           row_number() OVER (PARTITION BY c.shape ORDER BY round(coalesce(share, 0), 1) DESC, distinct_values DESC, seg NULLS LAST, qkey) AS cand_rank
    FROM candidates c JOIN shape_stats st USING (shape)
  ),
  best AS (
    SELECT shape, row_number() OVER (ORDER BY round(coalesce(share, 0), 1) DESC, distinct_values DESC, requests DESC, shape) AS shape_rank
    FROM ranked WHERE cand_rank = 1
  )
  SELECT b.shape_rank, r.shape, r.requests, r.ok, r.seg, r.qkey, r.distinct_values, r.share,
         (SELECT sum(requests)::BIGINT FROM shape_stats) AS access_requests,
         (SELECT count(*)::BIGINT FROM shape_stats) AS shapes,
         (SELECT count(DISTINCT shape)::BIGINT FROM candidates) AS shapes_with_ids
  FROM best b JOIN ranked r USING (shape)
  WHERE b.shape_rank <= $top
  ORDER BY b.shape_rank, r.cand_rank`;
  const rows = await store.all<CandidateRow>(sql, { top: o.top });
  const top: (DiscoveredShape & { candidates: RouteCandidate[] })[] = [];
  for (const r of rows) {
    let shape = top[top.length - 1];
    if (!shape || shape.shape !== r.shape) {
      shape = { shape: r.shape, requests: r.requests, share2xx: r.requests ? r.ok / r.requests : 0, candidates: [] };
      top.push(shape);
    }
    shape.candidates.push({
      segment: r.seg ?? undefined,
      queryParameter: r.qkey ?? undefined,
      distinctValues: r.distinct_values,
      ownersMatchShare: r.share ?? undefined,
      route: routeLine(r.shape, r.seg !== null ? { segment: r.seg } : { query: r.qkey ?? '' }),
    });
  }
  if (rows.length === 0) {
    const totals = await store.one<{ access_requests: number; shapes: number }>(
      `WITH ${shapeCtes(o.eventsRelation ?? DEFAULT_EVENTS_RELATION, false)}
       SELECT coalesce(sum(requests), 0)::BIGINT AS access_requests, count(DISTINCT shape)::BIGINT AS shapes FROM shaped`,
    );
    return { accessRequests: totals.access_requests, shapes: totals.shapes, shapesWithIds: 0, top };
  }
  return { accessRequests: rows[0]!.access_requests, shapes: rows[0]!.shapes, shapesWithIds: rows[0]!.shapes_with_ids, top };
}

export interface CaseRouteMatch {
  readonly route: string;
  /** Access requests the route names a document in; undefined when the route does not compile. */
  readonly requests: number | undefined;
}

/** How many access requests each of the case's own routes matches, by the counting rules' SQL. */
export async function caseRouteMatches(store: Store, routes: readonly string[], eventsRelation: string = DEFAULT_EVENTS_RELATION): Promise<CaseRouteMatch[]> {
  const compiled = routes.map((pattern) => {
    try {
      return compileRoute(pattern);
    } catch (e) {
      if (e instanceof RouteError) return undefined;
      throw e;
    }
  });
  const counted = compiled.flatMap((r, i) => (r ? [{ r, i }] : []));
  const counts = new Map<number, number>();
  if (counted.length > 0) {
    const row = await store.one(
      `SELECT ${counted.map(({ r, i }) => `count(*) FILTER (WHERE ${documentSql([r], 'path')} IS NOT NULL) AS r${i}`).join(', ')}
       FROM ${relation(eventsRelation)} WHERE role = 'access' AND path IS NOT NULL`,
    );
    for (const { i } of counted) counts.set(i, row[`r${i}`] as number);
  }
  return routes.map((route, i) => ({ route, requests: counts.get(i) }));
}

type CandidateRow = {
  shape_rank: number;
  shape: string;
  requests: number;
  ok: number;
  seg: number | null;
  qkey: string | null;
  distinct_values: number;
  share: number | null;
  access_requests: number;
  shapes: number;
  shapes_with_ids: number;
};

/**
 * The `documents.routes` line capturing one id position of a shape: that position becomes
 * `{doc}`, other id and slug positions `*`, other query parameters are left out. Undefined when
 * the route language cannot say it (a path not starting with `/`, a literal with braces).
 */
export function routeLine(shape: string, position: { readonly segment: number } | { readonly query: string }): string | undefined {
  const q = shape.indexOf('?');
  const pathPart = q >= 0 ? shape.slice(0, q) : shape;
  const segments = pathPart.split('/').map((token, i) => {
    const own = 'segment' in position && position.segment === i;
    if (token === '{slug}') return '*';
    if (token.includes('{id}')) return own ? token.replace('{id}', '{doc}') : '*';
    // A literal that held braces is shown percent-encoded; the log holds the braces themselves.
    return /%7[BD]/i.test(token) ? '*' : token;
  });
  let route = segments.join('/');
  if ('query' in position) {
    if (/[{}#]/.test(position.query) || /%7[BD]/i.test(position.query)) return undefined;
    route += `?${position.query}={doc}`;
  }
  try {
    compileRoute(route);
  } catch {
    return undefined;
  }
  return route;
}
