import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { stage } from '../util/trace.js';
import { UserError } from '../util/user-error.js';
import { resolveClients } from './ip-sql.js';
import { docEventsSelect, documentRequestsSelect } from './document-requests-sql.js';
import { compileRoute, documentSql, RouteError, type Route } from '../case/routes.js';

/**
 * Builds `document_requests`, the one table every detector reads: each access event that names a
 * document (by route or by its own `document` field), with its resolved account, client IP,
 * owners, and the facts the counting rules need (disclosure, attempt, in_window, authorized_by).
 */
export async function buildDocumentRequests(store: Store, caseFile: CaseFile): Promise<void> {
  const routes = compileRoutes(caseFile);
  await store.run(`CREATE OR REPLACE TEMP TABLE doc_events AS ${docEventsSelect(documentSql(routes, 'e.path'), 'file_id')}`);
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
