import { quoteString } from '../db/sql.js';

/**
 * A document route compiled to RE2 (DuckDB's regex engine).
 *
 * Pattern language: literal path segments; `*` is one segment; `{doc}` captures (part of) one
 * segment as the document id; `?name={doc}` takes query parameter `name` wherever it stands in the
 * query string; other query parameters are ignored (a `key=value` in the pattern is required);
 * the pattern matches the whole path. `regex:<RE2>` with a named group `doc` matches path+query.
 * Captured values are percent-decoded.
 */
export interface Route {
  readonly pattern: string;
  /** Anchored regex for the path without its query (or path+query for `regex:` routes). */
  readonly pathRegex: string;
  /** Capture group of the id in pathRegex, when the id is in the path. */
  readonly group: number | undefined;
  /** Query parameter holding the id, when the id is in the query. */
  readonly queryParam: string | undefined;
  /** Query `key=value` pairs the pattern requires. */
  readonly requiredParams: readonly string[];
  /** A literal prefix every match starts with: a cheap filter before the regex. */
  readonly prefix: string;
  readonly wholeTarget: boolean;
}

export class RouteError extends Error {}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

export function compileRoute(pattern: string): Route {
  if (pattern.startsWith('regex:')) return compileRegexRoute(pattern);
  if (!pattern.startsWith('/')) throw new RouteError(`route '${pattern}' must start with / (or be regex:...)`);
  const q = pattern.indexOf('?');
  const pathPart = q >= 0 ? pattern.slice(0, q) : pattern;
  const queryPart = q >= 0 ? pattern.slice(q + 1) : '';
  let captures = 0;
  const segments = pathPart.split('/').map((seg) => {
    if (seg === '*') return '[^/]+';
    const pieces = seg.split('{doc}');
    captures += pieces.length - 1;
    if (/[{}]/.test(pieces.join(''))) throw new RouteError(`route '${pattern}': only {doc} may stand in braces`);
    return pieces.map(escapeRegex).join('([^/]+)');
  });
  let queryParam: string | undefined;
  const requiredParams: string[] = [];
  for (const pair of queryPart.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = eq >= 0 ? pair.slice(eq + 1) : '';
    if (value === '{doc}') {
      if (queryParam !== undefined) throw new RouteError(`route '${pattern}': {doc} may appear once`);
      queryParam = key;
      captures++;
    } else if (value.includes('{') || key.includes('{')) {
      throw new RouteError(`route '${pattern}': write the query part as ?name={doc}`);
    } else requiredParams.push(pair);
  }
  if (captures !== 1) throw new RouteError(`route '${pattern}' must contain {doc} exactly once`);
  const star = pathPart.indexOf('*');
  const brace = pathPart.indexOf('{');
  const cut = Math.min(star < 0 ? Infinity : star, brace < 0 ? Infinity : brace, pathPart.length);
  return {
    pattern,
    pathRegex: `^${segments.join('/')}$`,
    group: queryParam === undefined ? 1 : undefined,
    queryParam,
    requiredParams,
    prefix: pathPart.slice(0, cut),
    wholeTarget: false,
  };
}

function compileRegexRoute(pattern: string): Route {
  const source = pattern.slice('regex:'.length).replaceAll('(?<doc>', '(?P<doc>');
  const named = source.indexOf('(?P<doc>');
  if (named < 0) throw new RouteError(`route '${pattern}': a regex route needs a named group (?<doc>...)`);
  try {
    new RegExp(source.replaceAll('(?P<', '(?<'));
  } catch (e) {
    throw new RouteError(`route '${pattern}': ${(e as Error).message}`);
  }
  return { pattern, pathRegex: source, group: groupIndex(source, named), queryParam: undefined, requiredParams: [], prefix: '', wholeTarget: true };
}

/** 1-based index of the capturing group that opens at `at`. */
function groupIndex(source: string, at: number): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i <= at; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && (source[i + 1] !== '?' || source.startsWith('(?P<', i) || source.startsWith('(?<', i))) n++;
  }
  return n;
}

/** Percent-decoding that keeps the text as written when it does not decode to UTF-8 (`%ff`). */
const decodeSql = (x: string) => `coalesce(try(url_decode(${x})), ${x})`;

/**
 * SQL giving the document id of a request whose path+query is `target`, or NULL. Routes are tried
 * in order. An absolute-form target (`GET http://host/path`) is reduced to its path first.
 */
export function documentSql(routes: readonly Route[], target: string): string {
  const t = routeTargetSql(target);
  return documentSqlOver(routes, t, `split_part(${t}, '?', 1)`);
}

/** The target reduced to its path and query (an absolute-form target loses its scheme and host). */
export function routeTargetSql(target: string): string {
  return `CASE WHEN contains(${target}, '://') THEN regexp_replace(${target}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', '') ELSE ${target} END`;
}

/**
 * documentSql over columns computed once per row: `t`, the routeTargetSql of the target, and `p`,
 * its path (`split_part(t, '?', 1)`). DuckDB does not share the expressions repeated in each arm.
 */
export function documentSqlOver(routes: readonly Route[], t: string, p: string): string {
  if (routes.length === 0) return 'NULL::VARCHAR';
  const q = `('&' || coalesce(nullif(substr(${t}, strpos(${t}, '?') + 1), ${t}), '') || '&')`;
  const arms = routes.map((r) => {
    const re = quoteString(r.pathRegex);
    if (r.wholeTarget) return `CASE WHEN regexp_matches(${t}, ${re}) THEN nullif(${decodeSql(`regexp_extract(${t}, ${re}, ${r.group})`)}, '') END`;
    const conditions = [
      r.prefix ? `starts_with(${p}, ${quoteString(r.prefix)})` : 'true',
      `regexp_full_match(${p}, ${re})`,
      ...r.requiredParams.map((kv) => `contains(${q}, ${quoteString(`&${kv}&`)})`),
    ];
    const id =
      r.queryParam !== undefined
        ? `regexp_extract(${q}, ${quoteString(`&${escapeRegex(r.queryParam)}=([^&#]*)`)}, 1)`
        : `regexp_extract(${p}, ${re}, ${r.group})`;
    return `CASE WHEN ${conditions.join(' AND ')} THEN nullif(${decodeSql(id)}, '') END`;
  });
  return arms.length === 1 ? arms[0]! : `coalesce(${arms.join(',\n    ')})`;
}
