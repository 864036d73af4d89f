import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { checkDetectorSettings, loadDetectors, runDetectors, type DetectorRun } from '../detect/detectors.js';
import { buildDocumentRequests } from '../enrich/enrich.js';
import { loadReferenceData, type ReferenceCounts } from '../enrich/reference-data.js';
import { stage } from '../util/trace.js';
import { REJECT_EXAMPLES } from '../ingest/ingest.js';

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
}

export interface IngestFile {
  readonly source: string;
  readonly path: string;
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
}

export interface Analysis {
  readonly case: string;
  readonly window: { readonly from: string | null; readonly to: string | null };
  readonly summary: Summary;
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
  readonly detectors: readonly DetectorSummary[];
}

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString().replace('.000Z', 'Z') : null);

/**
 * Enrichment, detectors and figures over what the store holds. Leaves the temp tables
 * `document_requests`, `findings` and `unauthorized` on the connection for renderers that page
 * through them (evidence pack, dashboard).
 */
export async function analyzeCase(store: Store, caseFile: CaseFile, top = 10): Promise<Analysis> {
  const loaded = loadDetectors();
  checkDetectorSettings(caseFile.detectors, loaded.detectors, caseFile.path);
  const reference = await loadReferenceData(store, caseFile);
  await stage('reference-loaded');
  await buildDocumentRequests(store, caseFile);
  await stage('document-requests-built');
  const runs = await runDetectors(store, caseFile.detectors, loaded);
  await stage('detectors-run');
  await store.run(
    `CREATE OR REPLACE TEMP TABLE unauthorized AS
     SELECT r.*, f.detectors
     FROM document_requests r
     JOIN (SELECT event_id, list(DISTINCT detector ORDER BY detector) AS detectors FROM findings WHERE counts_as = 'disclosure' GROUP BY event_id) f USING (event_id)`,
  );
  const hasSubjects = caseFile.documents.subjects !== undefined;
  const s = await store.one(
    `SELECT count(*) AS unauthorized_accesses, count(DISTINCT document) AS documents, count(DISTINCT client_ip) AS unique_ips,
       count(DISTINCT account) AS accounts, count(*) FILTER (WHERE account IS NULL) AS anonymous_accesses,
       min(time) AS first_access, max(time) AS last_access,
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
    ? `(SELECT count(DISTINCT s.subject_id) FROM subjects s WHERE s.document_id IN (SELECT document FROM unauthorized u2 WHERE u2.%KEY% = u.%KEY%))`
    : `(SELECT count(DISTINCT o) FROM (SELECT unnest(owners) AS o FROM unauthorized u2 WHERE u2.%KEY% = u.%KEY%))`;
  const topBy = async (key: 'client_ip' | 'account' | 'document'): Promise<TopRow[]> =>
    (
      await store.all(
        `SELECT u.${key} AS key, count(*) AS accesses, count(DISTINCT document) AS documents, count(DISTINCT client_ip) AS ips,
           count(DISTINCT account) AS accounts, ${subjectsOf.replaceAll('%KEY%', key)} AS subjects, min(time) AS first, max(time) AS last
         FROM unauthorized u WHERE u.${key} IS NOT NULL GROUP BY u.${key} ORDER BY accesses DESC, key LIMIT $n`,
        { n: top },
      )
    ).map((r) => ({ ...(r as unknown as TopRow), first: iso(r.first), last: iso(r.last) }));
  await stage('figures');
  const files = await store.all(
    `SELECT f.source, f.path, f.format, f.sha256, f.first_line, f.lines, f.comment_lines, f.events, f.rejected, f.first_time, f.last_time, f.warnings,
       coalesce((SELECT list({'line': r.line, 'reason': r.reason} ORDER BY r.line)[1:${REJECT_EXAMPLES}] FROM rejects r WHERE r.file_id = f.file_id), []) AS reject_examples
     FROM files f ORDER BY f.file_id`,
  );
  const totals = await store.one('SELECT coalesce(sum(lines), 0) AS lines, coalesce(sum(events), 0) AS events, coalesce(sum(rejected), 0) AS rejected FROM files');
  return {
    case: caseFile.title,
    window: { from: iso(caseFile.window.from), to: iso(caseFile.window.to) },
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
    },
    context: { ...(c as unknown as Omit<Analysis['context'], 'reference'>), reference },
    top: { ips: await topBy('client_ip'), accounts: await topBy('account'), documents: await topBy('document') },
    ingest: {
      lines: totals.lines as number,
      events: totals.events as number,
      rejected_lines: totals.rejected as number,
      files: files.map((f) => ({ ...(f as unknown as IngestFile), first_time: iso(f.first_time), last_time: iso(f.last_time) })),
    },
    detectors: runs.map(detectorSummary),
  };
}

function detectorSummary(r: DetectorRun): DetectorSummary {
  if (r.ok) {
    return { id: r.detector.id, title: r.detector.title, counts_as: r.detector.countsAs, level: r.detector.level, findings: r.findings, error: null, file: r.detector.file, line: null };
  }
  return { id: r.id, title: r.detector?.title, counts_as: r.detector?.countsAs, level: r.detector?.level, findings: null, error: r.error, file: r.file, line: r.line ?? null };
}
