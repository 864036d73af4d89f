import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { loadDetectors } from '../case/detector-catalog.js';
import type { Analysis } from '../analyze/analysis.js';
import { timelineChart } from './report-timeline.js';
import type { TimelineChart } from './section.js';
import { actorsSection, ipContextSection } from './actors-section.js';
import type { Section } from './section.js';

/** Everything report.html and report.md show, gathered once so the two cannot disagree. */
export interface ReportModel {
  readonly analysis: Analysis;
  readonly generatedAt: string;
  readonly tool: { readonly version: string; readonly duckdb: string };
  readonly displayZone: string | undefined;
  /** Unauthorized accesses per bucket over the exposure; null when there is none. */
  readonly timeline: TimelineChart | null;
  readonly ips: readonly TopLine[];
  readonly accounts: readonly TopLine[];
  readonly documents: readonly (TopLine & { readonly subjects: string })[];
  readonly detectors: readonly { readonly id: string; readonly title: string; readonly countsAs: string; readonly level: string; readonly findings: number | null; readonly error: string | null; readonly params: string; readonly sql: string }[];
  readonly gaps: readonly { readonly source: string; readonly from: string; readonly to: string; readonly hours: number }[];
  readonly gapHours: number;
  /** Rows shown per table; the full record is the evidence files. */
  readonly maxRows: number;
  /** How many rows each table would have without the cap. */
  readonly totals: { readonly ips: number; readonly accounts: number; readonly documents: number };
  readonly categories: readonly { readonly category: string; readonly subjects: number; readonly documents: number }[];
  readonly caseText: string;
  readonly caseSha256: string;
  readonly breach: CaseFile['breach'];
  readonly awareAt: string | null;
  readonly deadline: string | null;
  /** Sections drawn from the section model, after the per-document table: actors, IP context. */
  readonly sections: readonly Section[];
  /** Sections drawn after the Art. 33 facts: the notification phase, changes since a previous report. */
  readonly extraSections?: readonly Section[];
}

export interface TopLine {
  readonly key: string;
  readonly accesses: number;
  readonly documents: number;
  readonly accounts: number;
  readonly ips: number;
  readonly first: string;
  readonly last: string;
}

/** Headers and cells of a per-IP/account/document table, the same in every renderer. */
/** The sentence under a capped table, or '' when every row is shown. */
export function capNote(shown: number, total: number, what: string): string {
  return total > shown ? `Showing the ${shown.toLocaleString('en-US')} ${what} with the most accesses of ${total.toLocaleString('en-US')}; evidence.csv and evidence.parquet hold every access.` : '';
}

export function keyTableData(rows: readonly TopLine[], keyTitle: string, cols: readonly ('documents' | 'accounts' | 'ips')[]): { headers: string[]; rows: unknown[][] } {
  const titles = { documents: 'documents', accounts: 'accounts', ips: 'client IPs' };
  return {
    headers: [keyTitle, 'accesses', ...cols.map((c) => titles[c]), 'first seen (UTC)', 'last seen (UTC)'],
    rows: rows.map((r) => [r.key, r.accesses, ...cols.map((c) => r[c]), r.first, r.last]),
  };
}

const ISO = `'%Y-%m-%dT%H:%M:%SZ'`;
const iso = (d: Date | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : null);

/**
 * The per-IP and per-account tables, most accesses first, at most `limit` rows: a case with a
 * million findings must not load them all into the report (evidence.csv/.parquet hold every one).
 */
async function perKey(store: Store, key: 'client_ip' | 'account', limit: number): Promise<TopLine[]> {
  // The top keys by a count alone, then the distinct counts for their rows only: at hundreds of
  // thousands of keys, counting them all before the limit was most of the report's time.
  return store.all<TopLine & Record<string, string | number>>(
    `WITH top_keys AS (
       SELECT ${key} AS key, count(*) AS accesses FROM unauthorized WHERE ${key} IS NOT NULL GROUP BY ${key} ORDER BY accesses DESC, key LIMIT $limit
     )
     SELECT t.key, t.accesses, count(DISTINCT u.document) AS documents, count(DISTINCT u.account) AS accounts,
       count(DISTINCT u.client_ip) AS ips, strftime(min(u.time), ${ISO}) AS first, strftime(max(u.time), ${ISO}) AS last
     FROM top_keys t JOIN unauthorized u ON u.${key} = t.key GROUP BY t.key, t.accesses ORDER BY t.accesses DESC, t.key`,
    { limit },
  );
}

/** The most accessed documents (top `limit`), with who they are about: the people of the subjects file, else the owners. */
async function perDocument(store: Store, hasSubjects: boolean, limit: number): Promise<(TopLine & { subjects: string })[]> {
  return store.all<TopLine & { subjects: string } & Record<string, string | number>>(
    `WITH top_docs AS (
       SELECT document AS key, count(*) AS accesses FROM unauthorized GROUP BY document ORDER BY accesses DESC, key LIMIT $limit
     ), details AS (
       SELECT t.key, t.accesses, count(DISTINCT u.account) AS accounts, count(DISTINCT u.client_ip) AS ips,
         min(u.time) AS first, max(u.time) AS last, any_value(u.owners) AS owners
       FROM top_docs t JOIN unauthorized u ON u.document = t.key GROUP BY t.key, t.accesses
     )
     SELECT d.key, d.accesses, 1 AS documents, d.accounts, d.ips, strftime(d.first, ${ISO}) AS first, strftime(d.last, ${ISO}) AS last,
       coalesce(${hasSubjects ? 's.subjects' : "array_to_string(d.owners, ', ')"}, '') AS subjects
     FROM details d
     ${hasSubjects ? `LEFT JOIN (SELECT document_id, string_agg(subject_id, ', ' ORDER BY subject_id) AS subjects FROM subjects
       WHERE document_id IN (SELECT key FROM top_docs) GROUP BY document_id) s ON s.document_id = d.key` : ''}
     ORDER BY d.accesses DESC, d.key`,
    { limit },
  );
}

/** Rows per table in report.html and report.md unless `report --max-rows` says otherwise. */
export const DEFAULT_MAX_ROWS = 1000;

export async function buildReportModel(store: Store, caseFile: CaseFile, analysis: Analysis, o: { generatedAt: Date; toolVersion: string; gapHours: number; maxRows?: number }): Promise<ReportModel> {
  const maxRows = o.maxRows ?? DEFAULT_MAX_ROWS;
  const { duckdb } = await store.one<{ duckdb: string }>('SELECT version() AS duckdb');
  const documents = await perDocument(store, caseFile.documents.subjects !== undefined, maxRows);
  const totals = await store.one<{ ips: number; accounts: number; documents: number }>(
    'SELECT count(DISTINCT client_ip) AS ips, count(DISTINCT account) AS accounts, count(DISTINCT document) AS documents FROM unauthorized',
  );
  // Gaps inside the window, and at its start and end, as analyze measured them (analyzeCase's gapHours).
  const gaps = analysis.coverage.sources.flatMap((s) => s.gaps.map((g) => ({ source: s.source, from: g.from, to: g.to, hours: g.hours })));
  const timeline = await timelineChart(store, caseFile.timezone, { window: analysis.window, gaps, show: (t) => showTime(t, caseFile.timezone) });
  const categories = await store.all<{ category: string; subjects: number; documents: number }>(
    caseFile.documents.subjects
      ? `SELECT coalesce(s.category, 'not categorised') AS category, count(DISTINCT s.subject_id) AS subjects, count(DISTINCT s.document_id) AS documents
         FROM subjects s WHERE s.document_id IN (SELECT document FROM unauthorized) GROUP BY 1 ORDER BY subjects DESC, category`
      : `SELECT coalesce(o.category, 'not categorised') AS category, count(DISTINCT o.owner_account) AS subjects, count(DISTINCT o.document_id) AS documents
         FROM owners o WHERE o.document_id IN (SELECT document FROM unauthorized) GROUP BY 1 ORDER BY subjects DESC, category`,
  );
  const loaded = loadDetectors().detectors;
  const detectors = analysis.detectors.map((d) => {
    const def = loaded.find((x) => x.id === d.id);
    const params = def?.params.map((p) => `${p.name} = ${String((caseFile.detectors[d.id] ?? {})[p.name] ?? p.default)}`).join(', ') ?? '';
    return { id: d.id, title: d.title ?? d.id, countsAs: d.counts_as ?? '?', level: d.level ?? '?', findings: d.findings, error: d.error, params, sql: def?.sql ?? '' };
  });
  const deadline = caseFile.awareAt ? new Date(caseFile.awareAt.getTime() + 72 * 3600 * 1000) : undefined;
  return {
    analysis,
    generatedAt: iso(o.generatedAt)!,
    tool: { version: o.toolVersion, duckdb },
    displayZone: caseFile.timezone,
    timeline,
    ips: await perKey(store, 'client_ip', maxRows),
    accounts: await perKey(store, 'account', maxRows),
    documents,
    detectors,
    gaps,
    gapHours: o.gapHours,
    maxRows,
    totals: { ips: totals.ips, accounts: totals.accounts, documents: totals.documents },
    categories,
    caseText: caseFile.text,
    caseSha256: caseFile.sha256,
    breach: caseFile.breach,
    awareAt: iso(caseFile.awareAt),
    deadline: iso(deadline),
    sections: [await actorsSection(store, analysis, maxRows), await ipContextSection(store, caseFile, maxRows)].filter((x): x is Section => x !== undefined),
  };
}

/** A UTC instant also shown in the case's display zone, when it has one. */
export function showTime(isoUtc: string | null, zone: string | undefined): string {
  if (!isoUtc) return '-';
  if (!zone) return isoUtc;
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(new Date(isoUtc));
  return `${isoUtc} (${local})`;
}

/** The counting rules, as the method section states them. */
export const COUNTING_RULES: readonly string[] = [
  'Document access: the request path and query match a document route; {doc} captures one path segment, ?name={doc} a query parameter wherever it stands; captured ids are percent-decoded. An application audit record that names its document needs no route.',
  "Account: the request's own account field; else an identity record with the same request id; else the latest identity record of the same session at or before the request. No account: anonymous.",
  'Client IP: the forwarded-for chain followed by the socket address, walked from the right past the trusted proxies; IPv4-mapped IPv6 is written as IPv4, IPv6 in RFC 5952 form.',
  'Disclosure: status 200-299 and a method other than HEAD and OPTIONS. 401, 403 and 404 are attempts, not disclosures.',
  'Authorized: the account owns the document, or holds a grant to it, or is an authorized account; or the client IP is in an authorized network.',
  'Unauthorized access: a disclosure of a document in the owners file, inside the window, that is not authorized. Each request is counted once.',
  'People affected: distinct subjects linked to the documents by the subjects file; without one, the owner accounts.',
];
