import type { Store } from '../db/store.js';
import type { DetectorSummary } from './analysis.js';

/*
 * Actors: who did it. An actor is the account of a request, or its client IP when it has none (as
 * the enumeration detector says). Every actor with a counted unauthorized access gets the timeline
 * of its document requests inside the window, computed in DuckDB with window functions: sessions
 * split by 30 minutes of silence, attempts before its first counted access, its enumeration
 * pattern (document_id_enumeration's rows), IPs, user agents, crawler accesses and IP context.
 * Needs the temp tables analyzeCase leaves: document_requests, unauthorized, crawler_agents,
 * ip_context, and the enumeration detector's own table when it ran.
 */

/** Silence that ends a session. */
export const SESSION_GAP_MINUTES = 30;

export interface ActorRow {
  readonly kind: 'account' | 'ip';
  readonly actor: string;
  readonly accesses: number;
  readonly documents: number;
  readonly requests: number;
  readonly attempts: number;
  readonly attempts_before_first_access: number;
  readonly first_request: string;
  readonly last_request: string;
  readonly first_access: string;
  readonly last_access: string;
  readonly sessions: number;
  readonly ips: number;
  readonly user_agents: number;
  readonly crawler_accesses: number;
  readonly crawler: string | null;
  /** Set when document_id_enumeration flagged the actor's requests. */
  readonly enumeration: { readonly findings: number; readonly max_documents_in_window: number | null; readonly window_minutes: number | null; readonly longest_walk: number | null } | null;
}

export interface ActorSession {
  readonly session: number;
  readonly from: string;
  readonly to: string;
  readonly requests: number;
  readonly accesses: number;
  readonly attempts: number;
  readonly documents: number;
  readonly ips: readonly string[];
  readonly user_agents: number;
}

export interface ActorIp {
  readonly client_ip: string;
  readonly requests: number;
  readonly asn: string | null;
  readonly as_org: string | null;
  readonly country: string | null;
  readonly lists: readonly string[];
}

const ISO = `'%Y-%m-%dT%H:%M:%SZ'`;
const ENUMERATION = 'document_id_enumeration';

/** `actor_requests` and `actors`: one row per request of a counted actor, and one row per actor. */
export async function buildActors(store: Store, detectors: readonly DetectorSummary[]): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE actor_requests AS
     WITH act AS (
       SELECT DISTINCT CASE WHEN account IS NULL THEN 'ip' ELSE 'account' END AS kind, coalesce(account, client_ip) AS actor
       FROM unauthorized WHERE coalesce(account, client_ip) IS NOT NULL
     ), r AS (
       SELECT CASE WHEN r.account IS NULL THEN 'ip' ELSE 'account' END AS kind, coalesce(r.account, r.client_ip) AS actor,
         r.event_id, r.time, r.document, r.client_ip, r.user_agent, r.method, r.status, r.attempt,
         u.event_id IS NOT NULL AS counted, c.crawler
       FROM document_requests r
       LEFT JOIN unauthorized u USING (event_id)
       LEFT JOIN crawler_agents c ON c.user_agent = r.user_agent
       WHERE r.in_window AND coalesce(r.account, r.client_ip) IS NOT NULL
     ), s AS (
       SELECT r.*, coalesce(r.time - lag(r.time) OVER (PARTITION BY r.kind, r.actor ORDER BY r.time, r.event_id) > INTERVAL ${SESSION_GAP_MINUTES} MINUTE, true) AS starts
       FROM r JOIN act USING (kind, actor)
     )
     SELECT * EXCLUDE (starts), sum(starts::INTEGER) OVER (PARTITION BY kind, actor ORDER BY time, event_id) AS session,
       min(time) FILTER (WHERE counted) OVER (PARTITION BY kind, actor) AS first_counted
     FROM s`,
  );
  // The detector's own rows (burst size, walk length): a table when DuckDB ran it, a view over
  // what ClickHouse handed back; absent when the detector could not run.
  const { held } = await store.one<{ held: boolean }>('SELECT count(*) > 0 AS held FROM (SELECT table_name AS name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()) WHERE name = $t', { t: `detector_${ENUMERATION}` });
  const enumeration = held ? detectors.find((d) => d.id === ENUMERATION && d.error === null) : undefined;
  const param = (name: string) => Number(enumeration?.params?.[name] ?? NaN);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE actors AS
     WITH a AS (
       SELECT kind, actor,
         count(*) FILTER (WHERE counted) AS accesses, count(DISTINCT document) FILTER (WHERE counted) AS documents,
         count(*) AS requests, count(*) FILTER (WHERE attempt) AS attempts,
         count(*) FILTER (WHERE attempt AND time < first_counted) AS attempts_before_first_access,
         strftime(min(time), ${ISO}) AS first_request, strftime(max(time), ${ISO}) AS last_request,
         strftime(min(time) FILTER (WHERE counted), ${ISO}) AS first_access, strftime(max(time) FILTER (WHERE counted), ${ISO}) AS last_access,
         max(session) AS sessions, count(DISTINCT client_ip) AS ips, count(DISTINCT user_agent) AS user_agents,
         count(*) FILTER (WHERE counted AND crawler IS NOT NULL) AS crawler_accesses, min(crawler) FILTER (WHERE counted) AS crawler
       FROM actor_requests GROUP BY kind, actor
     ), e AS (${enumeration ? enumerationSql(param('window_minutes'), param('min_documents'), param('min_sequential')) : 'SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS actor, NULL AS enumeration WHERE false'})
     SELECT a.*, e.enumeration FROM a LEFT JOIN e USING (kind, actor)`,
  );
}

const whole = (n: number) => (Number.isFinite(n) ? String(Math.trunc(n)) : 'NULL');

/**
 * Per actor, the enumeration detector's rows summed up: its largest burst and its longest walk,
 * each only where it reached the detector's threshold (a row is flagged for either).
 */
function enumerationSql(windowMinutes: number, minDocuments: number, minSequential: number): string {
  return `SELECT r.kind, r.actor, {'findings': count(*),
      'max_documents_in_window': max(d.docs_in_window) FILTER (WHERE d.docs_in_window >= ${whole(minDocuments)})::BIGINT,
      'window_minutes': ${whole(windowMinutes)}::BIGINT,
      'longest_walk': max(d.run_length) FILTER (WHERE d.run_length >= ${whole(minSequential)})::BIGINT} AS enumeration
    FROM "detector_${ENUMERATION}" d JOIN actor_requests r USING (event_id) GROUP BY r.kind, r.actor`;
}

/** The actors with the most counted accesses first, at most `limit`, and how many there are in all. */
export async function topActors(store: Store, limit: number): Promise<{ total: number; actors: ActorRow[] }> {
  const { total } = await store.one<{ total: number }>('SELECT count(*) AS total FROM actors');
  const actors = await store.all<ActorRow & Record<string, never>>('SELECT * FROM actors ORDER BY accesses DESC, kind, actor LIMIT $limit', { limit });
  return { total, actors };
}

/** One actor: its row, sessions (at most `limit`, first first) and client IPs with their context. */
export async function actorDetail(store: Store, actor: string, limit: number): Promise<{ actor: ActorRow; sessions: ActorSession[]; ips: ActorIp[] }[]> {
  const rows = await store.all<ActorRow & Record<string, never>>('SELECT * FROM actors WHERE actor = $actor ORDER BY kind', { actor });
  const out = [];
  for (const row of rows) {
    const key = { actor, kind: row.kind, limit };
    const sessions = await store.all<ActorSession & Record<string, never>>(
      `SELECT session, strftime(min(time), ${ISO}) AS "from", strftime(max(time), ${ISO}) AS "to", count(*) AS requests,
         count(*) FILTER (WHERE counted) AS accesses, count(*) FILTER (WHERE attempt) AS attempts,
         count(DISTINCT document) AS documents, list(DISTINCT client_ip ORDER BY client_ip) AS ips, count(DISTINCT user_agent) AS user_agents
       FROM actor_requests WHERE actor = $actor AND kind = $kind GROUP BY session ORDER BY session LIMIT $limit`,
      key,
    );
    const ips = await store.all<ActorIp & Record<string, never>>(
      `SELECT r.client_ip, count(*) AS requests, c.asn, c.as_org, c.country, coalesce(c.lists, []::VARCHAR[]) AS lists
       FROM actor_requests r LEFT JOIN ip_context c USING (client_ip)
       WHERE r.actor = $actor AND r.kind = $kind AND r.client_ip IS NOT NULL
       GROUP BY ALL ORDER BY requests DESC, r.client_ip LIMIT $limit`,
      key,
    );
    out.push({ actor: row, sessions, ips });
  }
  return out;
}

/** The enumeration pattern as a phrase, or '' when none. */
export function enumerationText(e: ActorRow['enumeration']): string {
  if (!e) return '';
  const parts = [];
  if (e.max_documents_in_window !== null) parts.push(`up to ${e.max_documents_in_window} documents within ${e.window_minutes ?? '?'} min`);
  if (e.longest_walk !== null && e.longest_walk > 1) parts.push(`walk of ${e.longest_walk} consecutive ids`);
  return parts.join('; ');
}
