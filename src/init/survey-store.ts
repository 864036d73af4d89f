import type { Store } from '../db/store.js';

/** A source's events as stored: how many, and their span (UTC). */
export interface SourceSpan {
  readonly source: string;
  readonly events: number;
  readonly first: Date | undefined;
  readonly last: Date | undefined;
}

/** A file's stored events and span (through the stored content it holds). */
export interface FileSpan extends SourceSpan {
  readonly path: string;
}

export async function sourceSpans(store: Store): Promise<SourceSpan[]> {
  return store.all<{ source: string; events: number; first: Date | null; last: Date | null }>(
    'SELECT source, count(*)::INTEGER AS events, min(time) AS first, max(time) AS last FROM case_events GROUP BY source ORDER BY source',
  ).then((rows) => rows.map((r) => ({ source: r.source, events: r.events, first: r.first ?? undefined, last: r.last ?? undefined })));
}

/** Per file of the case: the events of the stored content it holds, up to its last line. */
export async function fileSpans(store: Store): Promise<FileSpan[]> {
  const rows = await store.all<{ source: string; path: string; events: number; first: Date | null; last: Date | null }>(
    `SELECT f.source, f.path, count(e.line)::INTEGER AS events, min(e.time) AS first, max(e.time) AS last
     FROM case_files f JOIN case_segments s ON s.chain_id = f.chain_id
     LEFT JOIN events e ON e.file_id = s.file_id AND e.line <= f.upto
     GROUP BY f.source, f.path ORDER BY f.path`,
  );
  return rows.map((r) => ({ source: r.source, path: r.path, events: r.events, first: r.first ?? undefined, last: r.last ?? undefined }));
}

/** A source whose records carry accounts with request ids or sessions that the requests of other sources also carry. */
export interface IdentityCandidate {
  readonly source: string;
  readonly events: number;
  readonly withAccount: number;
  readonly withPath: number;
  /** Distinct request ids (sessions) of its records with an account that requests of another source carry too. */
  readonly sharedRequestIds: number;
  readonly sharedSessions: number;
}

/**
 * Joins are counted in DuckDB over distinct values, whatever the size of the logs. An identity
 * log is one whose account-bearing records share request ids or sessions with the requests.
 */
export async function identityCandidates(store: Store): Promise<IdentityCandidate[]> {
  const rows = await store.all<{ source: string; events: number; with_account: number; with_path: number; shared_r: number; shared_s: number }>(
    `WITH requests_r AS (SELECT DISTINCT source, request_id FROM case_events WHERE path IS NOT NULL AND nullif(request_id, '') IS NOT NULL),
          requests_s AS (SELECT DISTINCT source, session FROM case_events WHERE path IS NOT NULL AND nullif(session, '') IS NOT NULL),
          ids_r AS (SELECT DISTINCT source, request_id FROM case_events WHERE nullif(account, '') IS NOT NULL AND nullif(request_id, '') IS NOT NULL),
          ids_s AS (SELECT DISTINCT source, session FROM case_events WHERE nullif(account, '') IS NOT NULL AND nullif(session, '') IS NOT NULL),
          shared_r AS (SELECT i.source, count(DISTINCT i.request_id) AS n FROM ids_r i JOIN requests_r q ON q.request_id = i.request_id AND q.source <> i.source GROUP BY i.source),
          shared_s AS (SELECT i.source, count(DISTINCT i.session) AS n FROM ids_s i JOIN requests_s q ON q.session = i.session AND q.source <> i.source GROUP BY i.source),
          totals AS (SELECT source, count(*) AS events, count(nullif(account, '')) AS with_account, count(path) AS with_path FROM case_events GROUP BY source)
     SELECT t.source, t.events::INTEGER AS events, t.with_account::INTEGER AS with_account, t.with_path::INTEGER AS with_path,
       coalesce(r.n, 0)::INTEGER AS shared_r, coalesce(s.n, 0)::INTEGER AS shared_s
     FROM totals t LEFT JOIN shared_r r USING (source) LEFT JOIN shared_s s USING (source)
     WHERE coalesce(r.n, 0) + coalesce(s.n, 0) > 0 ORDER BY t.source`,
  );
  return rows.map((r) => ({ source: r.source, events: r.events, withAccount: r.with_account, withPath: r.with_path, sharedRequestIds: r.shared_r, sharedSessions: r.shared_s }));
}

/** Private and loopback socket addresses that forward requests for others (they log X-Forwarded-For). */
export async function forwardingProxies(store: Store): Promise<{ readonly addresses: readonly string[]; readonly requests: number; readonly publicForwarders: number }> {
  const rows = await store.all<{ ip: string; n: number; private: boolean }>(
    `SELECT client_ip AS ip, count(*)::INTEGER AS n,
       (regexp_full_match(client_ip, '(10\\.|127\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)[0-9.]+') OR regexp_full_match(lower(client_ip), '(f[cd][0-9a-f]{2}|::1$).*')) AS private
     FROM case_events WHERE path IS NOT NULL AND nullif(trim(forwarded_for), '') IS NOT NULL AND forwarded_for <> '-' AND client_ip IS NOT NULL
     GROUP BY client_ip ORDER BY n DESC, ip LIMIT 65`,
  );
  const priv = rows.filter((r) => r.private);
  return { addresses: priv.map((r) => r.ip).sort(), requests: priv.reduce((a, r) => a + r.n, 0), publicForwarders: rows.length - priv.length };
}
