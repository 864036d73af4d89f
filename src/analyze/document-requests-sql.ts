/*
 * The counting rules' SQL, written once. `document_requests` is built from it on DuckDB
 * (enrich.ts) and, through the dialect layer (engine/clickhouse-dialect.ts), on ClickHouse
 * (engine/clickhouse-enrich.ts): the two engines cannot drift apart on who counts as the
 * actor, which access is a disclosure or in the window, or what authorizes it.
 *
 * Both statements are DuckDB SQL with nothing the dialect layer cannot carry: no parameters (the
 * window is written in as microseconds), no ASOF join, and column names unique across every
 * join (ClickHouse resolves `j.*` over a join by name).
 */

/**
 * The events' file column: a store numbers its files (`file_id`), a Parquet set names them
 * (`file_path`). Everything else is the same on both engines.
 */
export type FileColumn = 'file_id' | 'file_path';

/** A time bound in SQL both engines read the same way: microseconds since the epoch, or NULL. */
const bound = (d: Date | undefined): string => (d === undefined ? 'NULL' : `make_timestamp(${d.getTime() * 1000})`);

/**
 * The access events that name a document: by their own `document` field (an application's audit
 * log) or by a route of the case (`documentExpr`, from case/routes.ts).
 */
export function docEventsSelect(documentExpr: string, file: FileColumn, events = 'case_events e'): string {
  return `SELECT * FROM (
    SELECT e.event_id, e.${file}, e.line, e.source, e.time, e.client_ip, e.forwarded_for, e.method, e.path, e.status,
      e.bytes, e.user_agent, e.referer, e.account, e.session, e.request_id,
      coalesce(e.document, ${documentExpr}) AS doc,
      CASE WHEN e.document IS NOT NULL THEN 'field' ELSE 'route' END AS document_via
    FROM ${events} WHERE e.role = 'access'
  ) WHERE doc IS NOT NULL`;
}

/**
 * The identity records an access can be joined to: by request id (the first record's account) and
 * by session (per session and time, the last record's account), and per access with a session and
 * a time, the time of the latest identity record of its session at or before it.
 */
const IDENTITY_CTES = `by_request AS (
    SELECT request_id AS r_request_id, arg_min(account, event_id) AS r_account
    FROM case_events WHERE role = 'identity' AND request_id IS NOT NULL AND account IS NOT NULL
    GROUP BY request_id
  ), by_session AS (
    SELECT session AS s_session, time AS s_time, arg_max(account, event_id) AS s_account
    FROM case_events WHERE role = 'identity' AND session IS NOT NULL AND time IS NOT NULL
    GROUP BY session, time
  ), session_hits AS (
    -- For each access with a session and a time, the time of the latest identity record of its
    -- session at or before it: an ASOF match written as a window, because the ASOF join of DuckDB
    -- holds its input in memory and a window over session partitions spills. Identity rows sort
    -- first on a tie.
    SELECT h_event_id, h_session, h_time FROM (
      SELECT u_event_id AS h_event_id, u_session AS h_session, u_kind,
        max(CASE WHEN u_kind = 0 THEN u_time END) OVER (PARTITION BY u_session ORDER BY u_time, u_kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS h_time
      FROM (
        SELECT event_id AS u_event_id, session AS u_session, time AS u_time, 1 AS u_kind FROM doc_events WHERE session IS NOT NULL AND time IS NOT NULL
        UNION ALL
        SELECT NULL, s_session, s_time, 0 FROM by_session
      )
    ) WHERE u_kind = 1 AND h_time IS NOT NULL
  )`;

/**
 * `document_requests` from `doc_events`, `client_map` and the reference tables: the account from
 * the log, else an identity record with the same request id (the first), else the latest record
 * of the same session at or before the access; the owners; and the counting rules' facts.
 */
export function documentRequestsSelect(window: { readonly from?: Date; readonly to?: Date }, file: FileColumn): string {
  const from = bound(window.from);
  const to = bound(window.to);
  return `WITH ${IDENTITY_CTES}, joined AS (
    SELECT d.*, r.r_account AS request_account, s.s_account AS session_account
    FROM doc_events d
    LEFT JOIN by_request r ON d.request_id = r.r_request_id
    LEFT JOIN session_hits h ON h.h_event_id = d.event_id
    LEFT JOIN by_session s ON s.s_session = h.h_session AND s.s_time = h.h_time
  ), resolved AS (
    SELECT j.*,
      coalesce(j.account, j.request_account, j.session_account) AS actor_account,
      CASE WHEN j.account IS NOT NULL THEN 'log'
           WHEN j.request_account IS NOT NULL THEN 'request_id'
           WHEN j.session_account IS NOT NULL THEN 'session' END AS account_via,
      c.client AS client,
      c.network AS authorized_network
    FROM joined j
    LEFT JOIN client_map c ON j.client_ip IS NOT DISTINCT FROM c.socket AND j.forwarded_for IS NOT DISTINCT FROM c.xff
  )
  SELECT
    r.event_id, r.${file}, r.line, r.source, r.time,
    r.client AS client_ip, r.client_ip AS socket_ip, r.forwarded_for,
    r.method, r.path, r.status, r.bytes, r.user_agent, r.referer, r.session, r.request_id,
    r.actor_account AS account, r.account_via,
    r.doc AS document, r.document_via,
    o.owners, o.category,
    o.document_id IS NOT NULL AS known_document,
    -- An audit-log record that names its document (document_via 'field') and has no status is a
    -- view the application itself logged: a disclosure.
    coalesce(CASE WHEN r.status IS NULL THEN r.document_via = 'field' ELSE r.status BETWEEN 200 AND 299 END, false)
      AND coalesce(upper(r.method), '') NOT IN ('HEAD', 'OPTIONS') AS disclosure,
    coalesce(r.status IN (401, 403, 404), false) AS attempt,
    coalesce((${from} IS NULL OR r.time >= ${from}) AND (${to} IS NULL OR r.time < ${to}), false) AS in_window,
    CASE
      WHEN r.actor_account IS NOT NULL AND list_contains(o.owners, r.actor_account) THEN 'owner'
      WHEN g.account IS NOT NULL THEN 'grant'
      WHEN a.account IS NOT NULL THEN 'authorized account'
      WHEN r.authorized_network IS NOT NULL THEN 'authorized network ' || r.authorized_network
    END AS authorized_by
  FROM resolved r
  LEFT JOIN document_owners o ON o.document_id = r.doc
  LEFT JOIN (SELECT DISTINCT account, document_id FROM grants) g ON g.account = r.actor_account AND g.document_id = r.doc
  LEFT JOIN authorized_accounts a ON a.account = r.actor_account`;
}
