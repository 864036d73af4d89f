import type { CaseFile } from '../case/case-file.js';
import { loadReferenceData } from '../analyze/reference-data.js';
import { caseRouteMatches, discoverRoutes, type CaseRouteMatch, type RouteCandidate, type RouteDiscovery } from '../analyze/route-discovery.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { clip, terminalSafe } from '../util/terminal-safe.js';
import { openCase } from './open-case.js';

/** `breachscope routes`: ingest what is new, then propose `documents.routes` lines from the path shapes requested. */
export async function routesCommand(casePath: string, o: { db?: string; json?: boolean; top: number }): Promise<void> {
  const { caseFile, store } = await openCase(casePath, o.db, { shared: true });
  try {
    // The case's own events (selectCaseFiles, run by ingestCase): never another case's files in the store.
    await ingestCase(store, caseFile, Progress.forStderr());
    // The owners file is loaded as analyze loads it (validated, trimmed) into `document_owners`.
    const owners = caseFile.documents.owners ? await loadReferenceData(store, caseFile) : undefined;
    const discovery = await discoverRoutes(store, {
      eventsRelation: 'case_events',
      ownersRelation: owners ? 'document_owners' : undefined,
      top: o.top,
    });
    const current = await caseRouteMatches(store, caseFile.documents.routes, 'case_events');
    process.stdout.write(o.json ? `${JSON.stringify(routesJson(discovery, current, owners?.documents), null, 2)}\n` : renderRoutes(caseFile, discovery, current, owners?.documents));
  } finally {
    store.close();
  }
}

export function routesJson(d: RouteDiscovery, current: readonly CaseRouteMatch[], ownersDocuments: number | undefined) {
  return {
    schema_version: 1,
    access_requests: d.accessRequests,
    shapes_total: d.shapes,
    shapes_with_ids: d.shapesWithIds,
    owners_documents: ownersDocuments ?? null,
    case_routes: current.map((c) => ({ route: c.route, requests: c.requests ?? null })),
    shapes: d.top.map((s) => ({
      shape: s.shape,
      requests: s.requests,
      share_2xx: s.share2xx,
      candidates: s.candidates.map((c) => ({
        segment: c.segment ?? null,
        query_parameter: c.queryParameter ?? null,
        distinct_values: c.distinctValues,
        owners_match_share: c.ownersMatchShare ?? null,
        route: c.route ?? null,
      })),
    })),
  };
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString('en');
/** A JSON string is a YAML double-quoted scalar: the line can be pasted as it is printed. */
const quoted = (route: string) => terminalSafe(JSON.stringify(route));
const position = (c: RouteCandidate) => (c.segment !== undefined ? `segment ${c.segment}` : `?${clip(c.queryParameter, 30)}`);

function renderRoutes(caseFile: CaseFile, d: RouteDiscovery, current: readonly CaseRouteMatch[], ownersDocuments: number | undefined): string {
  const out: string[] = [];
  out.push(
    `${count(d.accessRequests)} access requests in ${count(d.shapes)} path shape(s), ${count(d.shapesWithIds)} with id-like positions` +
      (ownersDocuments === undefined ? ' (no owners file: no owners-match share)' : `; owners file: ${count(ownersDocuments)} documents`),
  );
  if (d.top.length === 0) {
    out.push('No path has an id-like segment or query value: no route to propose.');
  } else {
    out.push(`Best ${d.top.length}, most likely document routes first:`, '');
  }
  d.top.forEach((s, i) => {
    out.push(`${String(i + 1).padStart(3)}. ${clip(s.shape, 160)}`);
    out.push(`     ${count(s.requests)} requests, ${percent(s.share2xx)} 2xx`);
    const rows = s.candidates.map((c) => [position(c), count(c.distinctValues), c.ownersMatchShare === undefined ? '-' : percent(c.ownersMatchShare), c.route === undefined ? '(no route can express this)' : quoted(c.route)]);
    const head = ['id at', 'distinct', 'in owners', 'route line'];
    const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
    for (const r of [head, ...rows]) out.push(`       ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]}`);
    out.push('');
  });
  if (current.length === 0) out.push(`The case file (${terminalSafe(caseFile.path)}) has no documents.routes yet.`);
  else {
    out.push('The case\'s routes match:');
    for (const c of current) out.push(`  ${quoted(c.route)}  ${c.requests === undefined ? 'not a valid route' : `${count(c.requests)} access requests`}`);
  }
  out.push('Paste a route line under documents.routes in the case file, as printed (quoted):', '  documents:', '    routes:', `      - ${d.top[0]?.candidates[0]?.route ? quoted(d.top[0].candidates[0].route) : '"/tickets/{doc}/image"'}`);
  return `${out.join('\n')}\n`;
}
