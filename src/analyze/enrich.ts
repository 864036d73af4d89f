import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { stage } from '../util/trace.js';
import { UserError } from '../util/user-error.js';
import { clientMapSql, NETWORKS_SQL, networkParams } from './ip-sql.js';
import { compileRoute, documentSql, RouteError, type Route } from '../case/routes.js';

/**
 * Builds `document_requests`, the one table every detector reads: each access event that names a
 * document (by route or by its own `document` field), with its resolved account, client IP,
 * owners, and the facts the counting rules need (disclosure, attempt, in_window, authorized_by).
 */
export async function buildDocumentRequests(store: Store, caseFile: CaseFile): Promise<void> {
  const routes = compileRoutes(caseFile);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE doc_events AS
     SELECT * FROM (
       SELECT e.event_id, e.file_id, e.line, e.source, e.time, e.client_ip, e.forwarded_for, e.method, e.path, e.status,
         e.bytes, e.user_agent, e.referer, e.account, e.session, e.request_id,
         coalesce(e.document, ${documentSql(routes, 'e.path')}) AS doc,
         CASE WHEN e.document IS NOT NULL THEN 'field' ELSE 'route' END AS document_via
       FROM case_events e WHERE e.role = 'access'
     ) WHERE doc IS NOT NULL`,
  );
  await stage('doc-events');
  await buildClientMap(store, caseFile);
  await stage('client-map');
  await store.run(DOCUMENT_REQUESTS_SQL, { from: caseFile.window.from ?? null, to: caseFile.window.to ?? null });
  await store.run('DROP TABLE doc_events');
}

/**
 * `document_requests` from `doc_events` and `client_map`: the account from the log, else an
 * identity record with the same request id, else the latest of the same session (ASOF); the
 * owners, and the counting rules' facts. `$from`/`$to`: the case's window.
 */
const DOCUMENT_REQUESTS_SQL = `CREATE OR REPLACE TEMP TABLE document_requests AS
  WITH by_request AS (
    SELECT request_id, arg_min(account, event_id) AS account
    FROM case_events WHERE role = 'identity' AND request_id IS NOT NULL AND account IS NOT NULL
    GROUP BY request_id
  ), by_session AS (
    SELECT session, time, arg_max(account, event_id) AS account
    FROM case_events WHERE role = 'identity' AND session IS NOT NULL AND time IS NOT NULL
    GROUP BY session, time
  ), joined AS (
    SELECT d.*, r.account AS request_account, s.account AS session_account, s.time AS session_time
    FROM doc_events d
    LEFT JOIN by_request r ON d.request_id = r.request_id
    ASOF LEFT JOIN by_session s ON d.session = s.session AND d.time >= s.time
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
    r.event_id, r.file_id, r.line, r.source, r.time,
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
    coalesce(($from::TIMESTAMPTZ IS NULL OR r.time >= $from::TIMESTAMPTZ) AND ($to::TIMESTAMPTZ IS NULL OR r.time < $to::TIMESTAMPTZ), false) AS in_window,
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

function compileRoutes(caseFile: CaseFile): Route[] {
  return caseFile.documents.routes.map((pattern, i) => {
    try {
      return compileRoute(pattern);
    } catch (e) {
      if (!(e instanceof RouteError)) throw e;
      throw new UserError({ what: e.message, where: `${caseFile.path} (documents.routes[${i}])`, help: 'see "Document routes" in README.md' });
    }
  });
}

/**
 * Client IPs are resolved in SQL (ip-sql.ts) once per distinct (socket, forwarded-for) pair, then
 * joined back: no per-address work in JavaScript, whatever the number of clients.
 */
async function buildClientMap(store: Store, caseFile: CaseFile): Promise<void> {
  await store.run(NETWORKS_SQL, networkParams({ trusted: caseFile.network.trustedProxies, authorized: caseFile.authorized.networks }));
  await store.run(clientMapSql('SELECT client_ip AS socket, forwarded_for AS xff FROM doc_events'));
  await store.run('DROP TABLE ip_networks');
}
