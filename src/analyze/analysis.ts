import { createHash } from 'node:crypto';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { checkDetectorSettings, loadDetectors } from '../case/detector-catalog.js';
import { runDetectors, type DetectorRun } from './detectors.js';
import { buildDocumentRequests } from './enrich.js';
import { loadReferenceData, type ReferenceCounts } from './reference-data.js';
import { quoteString } from '../db/sql.js';
import { packagePath } from '../util/project-root.js';
import { stage } from '../util/trace.js';
import { REJECT_EXAMPLES } from '../db/schema.js';
import { refuseOverlaps } from '../db/selection.js';
import { measureCoverage, type Coverage } from './coverage.js';
import { caseWarnings, type Warning } from './warnings.js';
import { measureAtRisk, type AtRisk } from './at-risk.js';
import { notificationFacts, type Notification } from './people.js';
import { accessTierSql, type AccessTier } from './tiers.js';
import { markCrawlers, settleCrawlers, type CrawlerTotals } from './crawlers.js';
import { buildIpContext } from './ip-context.js';

/** Gaps in a source's events longer than this many hours are named (report --gap-hours, analyze --gap-hours). */
export const DEFAULT_GAP_HOURS = 6;

export interface Summary {
  readonly unauthorized_accesses: number;
  readonly documents: number;
  readonly unique_ips: number;
  readonly affected_subjects: number;
  readonly accounts: number;
  readonly anonymous_accesses: number;
  readonly first_access: string | null;
  readonly last_access: string | null;
  /** Where affected_subjects comes from: the subjects file, or the owner accounts without one. */
  readonly subjects_from: 'subjects file' | 'owner accounts';
  /** Counted accesses per confidence tier (tiers.ts); they add up to unauthorized_accesses. */
  readonly tiers: Readonly<Record<AccessTier, number>>;
}

export interface IngestFile {
  readonly source: string;
  readonly path: string;
  /** Set when another file of the case holds the same lines: they are counted once, under that file. */
  readonly counted_with: string | null;
  readonly format: string;
  readonly sha256: string;
  readonly first_line: number;
  readonly lines: number;
  readonly comment_lines: number;
  readonly events: number;
  readonly rejected: number;
  readonly first_time: string | null;
  readonly last_time: string | null;
  readonly warnings: readonly string[];
  /** Up to 20 rejected lines of this file (all are in the store's rejects table). */
  readonly reject_examples: readonly { readonly line: number; readonly reason: string }[];
}

export interface TopRow {
  readonly key: string;
  readonly accesses: number;
  readonly documents: number;
  readonly ips: number;
  readonly accounts: number;
  readonly subjects: number;
  readonly first: string | null;
  readonly last: string | null;
}

export interface DetectorSummary {
  readonly id: string;
  readonly title: string | undefined;
  readonly counts_as: string | undefined;
  readonly level: string | undefined;
  readonly findings: number | null;
  readonly error: string | null;
  readonly file: string;
  readonly line: number | null;
  /** SHA-256 of the SQL text run (the detector file as loaded), and the parameter values bound: for the manifest. */
  readonly sql_sha256?: string | null;
  readonly params?: Readonly<Record<string, number | string>> | null;
}

export interface Analysis {
  readonly case: string;
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly summary: Summary;
  /** What the flaw exposed, beside what the logs confirm (breach.at_risk). */
  readonly at_risk: AtRisk;
  /** Art. 33: people per category and country, hours from aware_at to this run. */
  readonly notification: Notification;
  readonly context: {
    readonly document_requests: number;
    readonly disclosures_in_window: number;
    readonly authorized_disclosures: number;
    readonly unknown_document_disclosures: number;
    readonly attempts: number;
    readonly outside_window_disclosures: number;
    readonly reference: ReferenceCounts;
  };
  readonly top: { readonly ips: readonly TopRow[]; readonly accounts: readonly TopRow[]; readonly documents: readonly TopRow[] };
  readonly ingest: { readonly lines: number; readonly events: number; readonly rejected_lines: number; readonly files: readonly IngestFile[] };
  readonly coverage: Coverage;
  readonly detectors: readonly DetectorSummary[];
  /** Unauthorized accesses with a known crawler's user agent, totalled apart (and left out when the case excludes them). */
  readonly crawlers: CrawlerTotals;
  /** What a reader must know before trusting the figures (zero matches, partial coverage, ...). */
  readonly warnings: readonly Warning[];
}

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString().replace('.000Z', 'Z') : null);

/**
 * Enrichment, detectors and figures over what the store holds. Leaves the temp tables
 * `document_requests`, `findings` and `unauthorized` on the connection for renderers that page
 * through them (evidence pack, dashboard).
 */
export async function analyzeCase(store: Store, caseFile: CaseFile, top = 10, o: { gapHours?: number; reportedAt?: Date; engine?: FigureEngine } = {}): Promise<Analysis> {
  await refuseOverlaps(store);
  await stage('overlaps-checked');
  const loaded = loadDetectors();
  checkDetectorSettings(caseFile.detectors, loaded.detectors, caseFile.path);
  const reference = await loadReferenceData(store, caseFile);
  await stage('reference-loaded');
  const figures = await (o.engine ?? figuresOnDuckDb)(store, caseFile, top, loaded);
  const { runs } = figures;
  const files = await caseFileRows(store);
  const totals = await store.one(
    `SELECT coalesce(sum(lines), 0) AS lines, coalesce(sum(events), 0) AS events, coalesce(sum(rejected), 0) AS rejected
     FROM (SELECT DISTINCT ON (file_id) * FROM case_file_segments ORDER BY file_id, whole DESC, upto DESC)`,
  );
  await stage('file-rows');
  const coverage = await measureCoverage(store, caseFile, o.gapHours ?? DEFAULT_GAP_HOURS);
  await stage('coverage');
  const warnings = await caseWarnings(store, caseFile, { documentRequests: figures.context.document_requests, coverage });
  await stage('warnings');
  return {
    case: caseFile.title,
    window: { from: iso(caseFile.window.from), to: iso(caseFile.window.to) },
    summary: figures.summary,
    at_risk: await measureAtRisk(store, caseFile),
    notification: await notificationFacts(store, caseFile, o.reportedAt ?? new Date()),
    context: { ...figures.context, reference },
    top: figures.top,
    crawlers: figures.crawlers,
    ingest: {
      lines: totals.lines as number,
      events: totals.events as number,
      rejected_lines: totals.rejected as number,
      files,
    },
    coverage,
    detectors: runs.map(detectorSummary),
    warnings,
  };
}

/** What an engine computes: the figures, the context counts, the top lists and the detector runs. */
export interface Figures {
  readonly summary: Summary;
  readonly context: Omit<Analysis['context'], 'reference'>;
  readonly top: Analysis['top'];
  readonly runs: readonly DetectorRun[];
  readonly crawlers: CrawlerTotals;
}

/**
 * Enrichment, detectors and figures on one engine. Leaves `document_requests`, `findings` and
 * `unauthorized` on the DuckDB connection for the renderers. DuckDB's is figuresOnDuckDb;
 * `--engine clickhouse` passes engine/clickhouse-figures.ts.
 */
export type FigureEngine = (store: Store, caseFile: CaseFile, top: number, loaded: ReturnType<typeof loadDetectors>) => Promise<Figures>;

export async function figuresOnDuckDb(store: Store, caseFile: CaseFile, top: number, loaded: ReturnType<typeof loadDetectors>): Promise<Figures> {
  await buildDocumentRequests(store, caseFile);
  await stage('document-requests-built');
  const runs = await runDetectors(store, caseFile.detectors, loaded);
  await stage('detectors-run');
  await markCrawlers(store);
  await stage('crawlers-marked');
  await buildIpContext(store, caseFile);
  await stage('ip-context');
  await store.run(
    `CREATE OR REPLACE TEMP TABLE unauthorized AS
     SELECT r.*, ${detectorList(runs)} AS detectors, ${accessTierSql('r', 'tf')} AS tier, c.crawler
     FROM document_requests r
     LEFT JOIN files tf ON tf.file_id = r.file_id
     JOIN (SELECT event_id, bit_or(${detectorBit(runs)}) AS mask FROM findings WHERE counts_as = 'disclosure' GROUP BY event_id) f USING (event_id)
     LEFT JOIN crawler_agents c ON c.user_agent = r.user_agent`,
  );
  await stage('unauthorized-built');
  const crawlers = await settleCrawlers(store, caseFile.exclude.crawlers);
  const figures = await countOnDuckDb(store, caseFile.documents.subjects !== undefined, top);
  await stage('figures');
  return { ...figures, runs, crawlers };
}

/** The summary, context and top lists of `unauthorized` and `document_requests`, counted by DuckDB. */
async function countOnDuckDb(store: Store, hasSubjects: boolean, top: number): Promise<Omit<Figures, 'runs' | 'crawlers'>> {
  const s = await store.one(
    `SELECT count(*) AS unauthorized_accesses, count(DISTINCT document) AS documents, count(DISTINCT client_ip) AS unique_ips,
       count(DISTINCT account) AS accounts, count(*) FILTER (WHERE account IS NULL) AS anonymous_accesses,
       min(time) AS first_access, max(time) AS last_access,
       count(*) FILTER (WHERE tier = 'confirmed') AS confirmed, count(*) FILTER (WHERE tier = 'partial') AS partial,
       ${hasSubjects
         ? '(SELECT count(DISTINCT s.subject_id) FROM subjects s WHERE s.document_id IN (SELECT document FROM unauthorized))'
         : '(SELECT count(DISTINCT o) FROM (SELECT unnest(owners) AS o FROM unauthorized))'} AS affected_subjects
     FROM unauthorized`,
  );
  const c = await store.one(
    `SELECT count(*) AS document_requests,
       count(*) FILTER (WHERE disclosure AND in_window) AS disclosures_in_window,
       count(*) FILTER (WHERE disclosure AND in_window AND known_document AND authorized_by IS NOT NULL) AS authorized_disclosures,
       count(*) FILTER (WHERE disclosure AND in_window AND NOT known_document) AS unknown_document_disclosures,
       count(*) FILTER (WHERE attempt AND in_window) AS attempts,
       count(*) FILTER (WHERE disclosure AND NOT in_window AND known_document AND authorized_by IS NULL) AS outside_window_disclosures
     FROM document_requests`,
  );
  const subjectsOf = hasSubjects
    ? 'SELECT r.key, count(DISTINCT s.subject_id) AS subjects FROM top_rows r JOIN subjects s ON s.document_id = r.document GROUP BY r.key'
    : 'SELECT key, count(DISTINCT o) AS subjects FROM (SELECT key, unnest(owners) AS o FROM top_rows) GROUP BY key';
  // The top keys first, by a count alone; the distinct counts only for their rows (with 800,000
  // client IPs, counting them for every key took most of this stage).
  const topBy = async (key: 'client_ip' | 'account' | 'document'): Promise<TopRow[]> =>
    (
      await store.all(
        `WITH top_keys AS (
           SELECT ${key} AS key, count(*) AS accesses FROM unauthorized WHERE ${key} IS NOT NULL GROUP BY ${key} ORDER BY accesses DESC, key LIMIT $n
         ), top_rows AS (
           SELECT t.key, u.document, u.client_ip, u.account, u.owners, u.time FROM unauthorized u JOIN top_keys t ON u.${key} = t.key
         ), subjects_of AS (${subjectsOf})
         SELECT t.key, t.accesses, count(DISTINCT r.document) AS documents, count(DISTINCT r.client_ip) AS ips,
           count(DISTINCT r.account) AS accounts, coalesce(any_value(so.subjects), 0) AS subjects, min(r.time) AS first, max(r.time) AS last
         FROM top_keys t JOIN top_rows r ON r.key = t.key LEFT JOIN subjects_of so ON so.key = t.key
         GROUP BY t.key, t.accesses ORDER BY t.accesses DESC, t.key`,
        { n: top },
      )
    ).map((r) => ({ ...(r as unknown as TopRow), first: iso(r.first), last: iso(r.last) }));
  return {
    summary: {
      unauthorized_accesses: s.unauthorized_accesses as number,
      documents: s.documents as number,
      unique_ips: s.unique_ips as number,
      affected_subjects: s.affected_subjects as number,
      accounts: s.accounts as number,
      anonymous_accesses: s.anonymous_accesses as number,
      first_access: iso(s.first_access),
      last_access: iso(s.last_access),
      subjects_from: hasSubjects ? 'subjects file' : 'owner accounts',
      tiers: { confirmed: s.confirmed as number, partial: s.partial as number },
    },
    context: c as unknown as Figures['context'],
    top: { ips: await topBy('client_ip'), accounts: await topBy('account'), documents: await topBy('document') },
  };
}

/**
 * The disclosure detectors that found an access, as a bit each: a fixed-size aggregate state that
 * DuckDB can spill, where a list per access (a million of them) ran it out of memory.
 */
function disclosureIds(runs: readonly DetectorRun[]): string[] {
  return runs.flatMap((r) => (r.ok && r.detector.countsAs === 'disclosure' ? [r.detector.id] : [])).sort();
}

function detectorBit(runs: readonly DetectorRun[]): string {
  const ids = disclosureIds(runs);
  if (ids.length === 0) return '0::UBIGINT';
  return `CASE detector ${ids.map((id, i) => `WHEN ${quoteString(id)} THEN ${2 ** i}::UBIGINT`).join(' ')} ELSE 0::UBIGINT END`;
}

function detectorList(runs: readonly DetectorRun[]): string {
  const ids = disclosureIds(runs);
  return `list_filter([${ids.map((id, i) => `CASE WHEN mask & ${2 ** i}::UBIGINT <> 0 THEN ${quoteString(id)} END`).join(', ')}]::VARCHAR[], x -> x IS NOT NULL)`;
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

function detectorSummary(r: DetectorRun): DetectorSummary {
  if (r.ok) {
    return { id: r.detector.id, title: r.detector.title, counts_as: r.detector.countsAs, level: r.detector.level, findings: r.findings, error: null, file: packagePath(r.detector.file), line: null, sql_sha256: sha256Hex(r.detector.sql), params: r.params };
  }
  return { id: r.id, title: r.detector?.title, counts_as: r.detector?.countsAs, level: r.detector?.level, findings: null, error: r.error, file: packagePath(r.file), line: r.line ?? null, sql_sha256: r.detector ? sha256Hex(r.detector.sql) : null, params: null };
}

/**
 * Per file of the case: what its lines hold. A segment the file holds whole gives its stored
 * counts; one it holds in part (an earlier copy of a content that grew since) is counted up to the
 * file's last line. `case_file_segments` stays for the totals, which count each line once.
 */
async function caseFileRows(store: Store): Promise<IngestFile[]> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE case_file_segments AS
     WITH pairs AS (
       SELECT cf.source AS case_source, cf.path AS case_path, cf.sha256 AS case_sha256, cf.upto, f.*, f.physical_lines <= cf.upto AS whole
       FROM case_files cf JOIN files f ON f.chain_id = cf.chain_id AND (f.first_line <= cf.upto OR f.file_id = f.chain_id)
     ), partial AS (
       SELECT DISTINCT file_id, upto FROM pairs WHERE NOT whole
     ), part AS (
       SELECT p.file_id, p.upto, count(e.line) AS events, min(e.time) AS first_time, max(e.time) AS last_time,
         (SELECT count(*) FROM rejects r WHERE r.file_id = p.file_id AND r.line <= p.upto) AS rejected
       FROM partial p LEFT JOIN events e ON e.file_id = p.file_id AND e.line <= p.upto
       GROUP BY p.file_id, p.upto
     )
     SELECT p.case_source, p.case_path, p.case_sha256, p.file_id, p.chain_id, p.first_line, p.upto, p.whole, p.format, p.warnings,
       CASE WHEN p.whole THEN p.events ELSE q.events END AS events,
       CASE WHEN p.whole THEN p.rejected ELSE q.rejected END AS rejected,
       CASE WHEN p.whole THEN p.lines ELSE q.events + q.rejected END AS lines,
       CASE WHEN p.whole THEN p.comment_lines ELSE 0 END AS comment_lines,
       CASE WHEN p.whole THEN p.first_time ELSE q.first_time END AS first_time,
       CASE WHEN p.whole THEN p.last_time ELSE q.last_time END AS last_time
     FROM pairs p LEFT JOIN part q ON q.file_id = p.file_id AND q.upto = p.upto`,
  );
  const rows = await store.all(
    `WITH agg AS (
       SELECT s.case_source AS source, s.case_path AS path, arg_min(s.format, s.first_line) AS format, any_value(s.case_sha256) AS sha256,
         1 AS first_line, sum(s.lines) AS lines, sum(s.comment_lines) AS comment_lines, sum(s.events) AS events, sum(s.rejected) AS rejected,
         min(s.first_time) AS first_time, max(s.last_time) AS last_time,
         flatten(list(s.warnings ORDER BY s.first_line)) AS warnings,
         CASE WHEN any_value(k.path) <> s.case_path THEN any_value(k.path) END AS counted_with,
         any_value(s.chain_id) AS chain_id, any_value(s.upto) AS upto
       FROM case_file_segments s JOIN case_chain_file k ON k.chain_id = s.chain_id
       GROUP BY s.case_source, s.case_path
     ), ex AS (
       -- the first rejects of each file only: a list of all of a file's rejects (millions) would not spill
       SELECT source, path, list({'line': line, 'reason': reason} ORDER BY line) AS reject_examples FROM (
         SELECT a.source, a.path, r.line, r.reason
         FROM agg a JOIN files rf ON rf.chain_id = a.chain_id JOIN rejects r ON r.file_id = rf.file_id AND r.line <= a.upto
         QUALIFY row_number() OVER (PARTITION BY a.source, a.path ORDER BY r.line) <= ${REJECT_EXAMPLES}
       ) GROUP BY source, path
     )
     SELECT agg.* EXCLUDE (chain_id, upto), coalesce(ex.reject_examples, []) AS reject_examples
     FROM agg LEFT JOIN ex USING (source, path) ORDER BY path, source`,
  );
  return rows.map((f) => ({ ...(f as unknown as IngestFile), first_time: iso(f.first_time), last_time: iso(f.last_time) }));
}
