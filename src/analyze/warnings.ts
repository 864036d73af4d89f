import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import type { Coverage } from './coverage.js';
import { topPathShapes } from './route-discovery.js';

/** Things a reader must know before trusting a figure: a zero that may mean "nothing matched", partial coverage, ... */
export const WARNING_CODES = [
  'case_file',
  'no_document_requests',
  'owners_not_requested',
  'store_files_not_in_case',
  'source_outside_window',
  'window_not_covered',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
}

const n = (x: number) => x.toLocaleString('en');
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;
/** Gaps named per source in a warning; the coverage section lists them all. */
const GAPS_NAMED = 3;
/** An hour-long lull inside the window is traffic; a day without one request is a hole in the logs. */
const NOTABLE_INNER_GAP_HOURS = 24;

export async function caseWarnings(store: Store, caseFile: CaseFile, o: { documentRequests: number; coverage: Coverage }): Promise<Warning[]> {
  const out: Warning[] = (caseFile.warnings ?? []).map((message: string) => ({ code: 'case_file' as const, message }));
  out.push(...(await documentWarnings(store, caseFile, o.documentRequests)));
  out.push(...(await storeWarnings(store)));
  out.push(...coverageWarnings(o.coverage, caseFile));
  return out;
}

async function documentWarnings(store: Store, caseFile: CaseFile, documentRequests: number): Promise<Warning[]> {
  if (documentRequests === 0) {
    const { requests } = await store.one<{ requests: number }>("SELECT count(*) AS requests FROM case_events WHERE role = 'access'");
    const shapes = await topPathShapes(store, 'case_events', 5);
    const seen = shapes.length > 0 ? `; the most frequent path shapes are ${shapes.map((s) => `${s.shape} (${n(s.requests)})`).join(', ')}` : '';
    const what =
      caseFile.documents.routes.length === 0
        ? `the case names no document routes (documents.routes), so none of the ${plural(requests, 'access request', 'access requests')} names a document and nothing can be counted`
        : `none of the ${plural(requests, 'access request', 'access requests')} matched documents.routes (${caseFile.documents.routes.join(', ')}): 0 is not a finding, the routes may be wrong`;
    return [{ code: 'no_document_requests', message: `${what}${seen}; breachscope routes <case> lists the candidate routes` }];
  }
  if (caseFile.documents.owners === undefined) {
    return [{ code: 'owners_not_requested', message: 'the case names no owners file (documents.owners): no document has an owner, so no access can be counted as unauthorized' }];
  }
  const known = await store.one<{ known: number; ids: number }>('SELECT count(*) FILTER (WHERE known_document) AS known, count(DISTINCT document) AS ids FROM document_requests');
  if (known.known > 0) return [];
  const firstThree = async (sql: string) => (await store.all<{ id: string }>(sql)).map((r) => r.id);
  const requested = await firstThree('SELECT DISTINCT document AS id FROM document_requests ORDER BY id LIMIT 3');
  const owned = { examples: await firstThree('SELECT DISTINCT document_id AS id FROM owners ORDER BY id LIMIT 3') };
  return [
    {
      code: 'owners_not_requested',
      message:
        `none of the ${plural(known.ids, 'document id', 'document ids')} requested (${requested.map((x) => `'${x}'`).join(', ')}${known.ids > 3 ? ', ...' : ''}) ` +
        `is in the owners file (its ids look like ${owned.examples.map((x) => `'${x}'`).join(', ') || 'nothing: it is empty'}): 0 is not a finding, check the route's {doc} and the owners file`,
    },
  ];
}

async function storeWarnings(store: Store): Promise<Warning[]> {
  const rows = await store.all<{ contents: number; paths: string[] }>(
    `SELECT count(DISTINCT chain_id) AS contents, coalesce(list(DISTINCT path ORDER BY path)[1:5], []) AS paths
     FROM files WHERE chain_id NOT IN (SELECT chain_id FROM case_segments)`,
  );
  const r = rows[0];
  if (!r || r.contents === 0) return [];
  return [
    {
      code: 'store_files_not_in_case',
      message:
        `the store holds ${plural(r.contents, 'content', 'contents')} that no file of this case holds now (read earlier from ${r.paths.join(', ')}${r.contents > 5 ? ', ...' : ''}: ` +
        'another case, an earlier version of a file, or other source settings): not counted',
    },
  ];
}

function coverageWarnings(coverage: Coverage, caseFile: CaseFile): Warning[] {
  const out: Warning[] = [];
  const windowed = caseFile.window.from !== undefined || caseFile.window.to !== undefined;
  const span = `${coverage.from ?? 'the start'} to ${coverage.to ?? 'the end'}`;
  for (const s of coverage.sources) {
    if (s.events === 0) {
      out.push({ code: 'source_outside_window', message: `source ${s.source}: its files hold no event, so it covers nothing of ${span}` });
      continue;
    }
    if (s.events_in_window === 0) {
      out.push({
        code: 'source_outside_window',
        message: `source ${s.source}: none of its ${plural(s.events, 'event', 'events')} (${s.first_event} to ${s.last_event}) is inside the window ${span}`,
      });
      continue;
    }
    // Quiet nights are normal on a small portal: inside the window only a day without a request is
    // worth a warning; every gap over the threshold is listed in the coverage section.
    const notable = s.gaps.filter((g) => g.at !== 'inside' || g.hours > NOTABLE_INNER_GAP_HOURS);
    if (notable.length === 0) continue;
    const named = notable.slice(0, GAPS_NAMED).map((g) =>
      g.at === 'start'
        ? `no events before ${g.to}, the ${windowed ? 'window' : 'span'} opens ${g.from}`
        : g.at === 'end'
          ? `no events after ${g.from}, the ${windowed ? 'window' : 'span'} closes ${g.to}`
          : `no events from ${g.from} to ${g.to} (${g.hours} h)`,
    );
    const more = notable.length > GAPS_NAMED ? `; and ${plural(notable.length - GAPS_NAMED, 'more gap', 'more gaps')}` : '';
    out.push({
      code: 'window_not_covered',
      message: `source ${s.source} has events in ${Math.round((s.hours_share ?? 0) * 1000) / 10}% of the hours of ${span}: ${named.join('; ')}${more}`,
    });
  }
  return out;
}
