import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { stage } from '../util/trace.js';
import { UserError } from '../util/user-error.js';
import { resolveClients } from './ip-sql.js';
import { docEventsSelect, documentRequestsSelect } from './document-requests-sql.js';
import { compileRoute, documentSqlOver, RouteError, routeTargetSql, type Route } from '../case/routes.js';

/**
 * Builds `document_requests`, the one table every detector reads: each access event that names a
 * document (by route or by its own `document` field), with its resolved account, client IP,
 * owners, and the facts the counting rules need (disclosure, attempt, in_window, authorized_by).
 */
export async function buildDocumentRequests(store: Store, caseFile: CaseFile): Promise<void> {
  const routes = compileRoutes(caseFile);
  // Each access's document first, in a narrow table and with no filter: filtered on `doc IS NOT
  // NULL`, DuckDB pushed the filter below the projection and ran the route expressions twice per
  // event. Then the events that name one, with the columns the counting rules read.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE doc_keys AS
     SELECT k_event_id, k_source, coalesce(k_document, ${documentSqlOver(routes, 'k_t', 'k_p')}) AS k_doc
     FROM (SELECT *, split_part(k_t, '?', 1) AS k_p FROM (
       SELECT e.event_id AS k_event_id, e.source AS k_source, e.document AS k_document, ${routeTargetSql('e.path')} AS k_t
       FROM case_events e WHERE e.role = 'access'))`,
  );
  // doc_keys holds the case's access events only: the join needs no case_events.
  const named = `(SELECT e.* REPLACE (k.k_source AS source), k.k_doc FROM events e
    JOIN (SELECT k_event_id, k_source, k_doc FROM doc_keys WHERE k_doc IS NOT NULL) k ON k.k_event_id = e.event_id) e`;
  await store.run(`CREATE OR REPLACE TEMP TABLE doc_events AS ${docEventsSelect('e.k_doc', 'file_id', named)}`);
  await store.run('DROP TABLE doc_keys');
  await stage('doc-events');
  await resolveClients(store, 'SELECT client_ip AS socket, forwarded_for AS xff FROM doc_events', {
    trusted: caseFile.network.trustedProxies,
    authorized: caseFile.authorized.networks,
  });
  await stage('client-map');
  await store.run(`CREATE OR REPLACE TEMP TABLE document_requests AS ${documentRequestsSelect(caseFile.window, 'file_id')}`);
  await store.run('DROP TABLE doc_events');
}

/** The case's routes, compiled; a route RE2 refuses is a case-file error naming it. */
export function compileRoutes(caseFile: CaseFile): Route[] {
  return caseFile.documents.routes.map((pattern, i) => {
    try {
      return compileRoute(pattern);
    } catch (e) {
      if (!(e instanceof RouteError)) throw e;
      throw new UserError({ what: e.message, where: `${caseFile.path} (documents.routes[${i}])`, help: 'see "Document routes" in README.md' });
    }
  });
}
