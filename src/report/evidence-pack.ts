import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { stage } from '../util/trace.js';
import { findingsByEvent } from '../analyze/findings-by-event.js';
import { quoteLines } from '../ingest/quoted-lines.js';
import type { Analysis } from '../analyze/analysis.js';
import { hashFile } from '../util/hash-file.js';
import { arrowSchema, packedSql, writeArrowFile } from './evidence-arrow.js';
import { coverageFacts } from './pack-diff.js';
import { NOTICE_OUTPUTS, NOTICES_DIR } from './notice-files.js';

/**
 * The evidence a regulator can check: one row per counted unauthorized access, traced to its raw
 * line, file and the file's SHA-256; the notification list; and a manifest hashing every input and
 * output. Everything is ordered, so the same inputs give byte-identical files (generated-at aside).
 */

/** Columns of evidence.csv / .parquet / .arrow, in order. */
export const EVIDENCE_COLUMNS = [
  'event_time', 'client_ip', 'account', 'document', 'subjects', 'detectors', 'reason', 'method', 'path', 'status', 'bytes', 'tier',
  'user_agent', 'referer', 'crawler', 'asn', 'as_org', 'country', 'ip_lists', 'source', 'file', 'line', 'file_sha256', 'raw_line',
] as const;

const NUMERIC = new Set(['status', 'bytes', 'line']);

/** The evidence rows, materialized once per pack and written to each evidence file from there. */
const EVIDENCE_TABLE = 'evidence_rows';

/**
 * One row per counted access (the temp table `unauthorized` that analyzeCase leaves behind). The
 * file named is a file of the case that holds the line at that number now (case_chain_file), so
 * every row can be checked against an input the manifest lists, whatever rotation did since.
 * `sort_time` and `sort_id` (the event id, breaking ties so the order is total) only order the rows.
 */
const evidenceSql = (reasons: string) => `
SELECT
  strftime(u.time, '%Y-%m-%dT%H:%M:%SZ') AS event_time,
  u.client_ip, u.account, u.document,
  ds.subjects,
  array_to_string(u.detectors, ';') AS detectors,
  r.reason,
  u.method, u.path, u.status, u.bytes, u.tier, u.user_agent, u.referer,
  u.crawler, ic.asn, ic.as_org, ic.country, array_to_string(ic.lists, ';') AS ip_lists,
  u.source, fl.path AS file, u.line, fl.sha256 AS file_sha256, l.raw AS raw_line,
  u.time AS sort_time, u.event_id AS sort_id
FROM unauthorized u
JOIN case_segments s ON s.file_id = u.file_id
JOIN case_chain_file fl ON fl.chain_id = s.chain_id
JOIN quoted_lines l ON l.file_id = u.file_id AND l.line = u.line
LEFT JOIN ${reasons} r ON r.event_id = u.event_id
LEFT JOIN ip_context ic ON ic.client_ip = u.client_ip
-- one aggregate per document, not per access (a million correlated string_agg states do not spill)
LEFT JOIN (SELECT document_id, string_agg(subject_id, ';' ORDER BY subject_id) AS subjects FROM subjects
           WHERE document_id IN (SELECT document FROM unauthorized) GROUP BY document_id) ds ON ds.document_id = u.document`;

const EVIDENCE_ORDER = 'ORDER BY sort_time, file, line, sort_id';
/** The evidence columns in file order. */
const evidenceRows = () => `SELECT ${EVIDENCE_COLUMNS.join(', ')} FROM ${EVIDENCE_TABLE} ${EVIDENCE_ORDER}`;

/**
 * A spreadsheet runs a cell that starts with = + - @ tab or CR as a formula, also after leading
 * spaces and in the fullwidth forms (＝ ＋ － ＠); OWASP's advice is to prefix such a cell with a
 * single quote. Log fields and subject ids are attacker-written, so every text cell of the CSV
 * files goes through this (the Parquet and Arrow files keep values as logged). A cell that starts
 * with a quote gets one too, so the guard can be undone exactly: drop one leading quote.
 */
const FORMULA_START = String.raw`^(['\t\r]|[\s\x{00A0}\x{1680}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}]*[=+\-@\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}])`;

export function csvCellSql(column: string): string {
  return `CASE WHEN regexp_matches(${column}, '${FORMULA_START.replaceAll("'", "''")}') THEN '''' || ${column} ELSE ${column} END`;
}

function neutralised(columns: readonly string[], sql: string): string {
  return `SELECT ${columns.map((c) => (NUMERIC.has(c) ? c : `${csvCellSql(c)} AS ${c}`)).join(', ')} FROM (${sql})`;
}

const SUBJECTS_SQL = (hasSubjects: boolean) => `
WITH links AS (
  ${hasSubjects
    ? 'SELECT u.*, s.subject_id FROM unauthorized u JOIN subjects s ON s.document_id = u.document'
    : 'SELECT u.*, unnest(u.owners) AS subject_id FROM unauthorized u'}
)
SELECT subject_id,
  count(DISTINCT document) AS documents,
  string_agg(DISTINCT document, ';' ORDER BY document) AS document_ids,
  count(DISTINCT event_id) AS accesses,
  strftime(min(time), '%Y-%m-%dT%H:%M:%SZ') AS first_access,
  strftime(max(time), '%Y-%m-%dT%H:%M:%SZ') AS last_access,
  count(DISTINCT client_ip) AS distinct_ips
FROM links GROUP BY subject_id ORDER BY subject_id`;

export interface PackOptions {
  readonly outDir: string;
  readonly generatedAt: Date;
  readonly toolVersion: string;
  /** The command line that made the pack (argv after the program; no secret is ever an argument). */
  readonly command?: readonly string[];
  /** Writes further files into the pack before the manifest hashes its contents. */
  readonly before?: () => void | Promise<void>;
}

export interface Manifest {
  readonly tool: { readonly name: 'breachscope'; readonly version: string; readonly duckdb: string };
  readonly case: { readonly title: string; readonly path: string; readonly sha256: string };
  readonly generated_at: string;
  /** `breachscope` and its arguments as run. */
  readonly command?: readonly string[];
  readonly figures: Analysis['summary'];
  /** breach.phase and breach.reference, the window and each source's coverage: what `diff` compares between packs. */
  readonly breach?: { readonly phase: string; readonly reference: string | null };
  readonly window?: Analysis['window'];
  readonly coverage?: readonly { readonly source: string; readonly events_in_window: number; readonly first_event: string | null; readonly last_event: string | null; readonly hours_share: number | null }[];
  /** Each detector as run: its file, the SHA-256 of its SQL text and the parameter values bound. */
  readonly detectors?: readonly { readonly id: string; readonly file: string; readonly sql_sha256: string | null; readonly params: Readonly<Record<string, number | string>> | null; readonly findings: number | null; readonly error: string | null }[];
  readonly inputs: readonly { readonly role: string; readonly path: string; readonly sha256: string; readonly bytes?: number }[];
  readonly outputs: readonly { readonly path: string; readonly sha256: string; readonly bytes: number }[];
  /** SHA-256 of this manifest written with self_sha256 = "": a changed byte anywhere shows. */
  readonly self_sha256: string;
}

export const MANIFEST = 'manifest.json';
/** The manifest's minisign signature (report --sign): the one file of a pack the manifest cannot list. */
export const SIGNATURE = `${MANIFEST}.minisig`;

/** Every file of a pack, and the only names a pack folder holds (the signature only in a signed pack). */
export const PACK_FILES = ['report.html', 'report.md', 'evidence.csv', 'evidence.parquet', 'evidence.arrow', 'subjects.csv', MANIFEST, SIGNATURE] as const;

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const COPY_OPTIONS = { csv: "FORMAT csv, HEADER true, DELIMITER ','", parquet: 'FORMAT parquet, COMPRESSION zstd' } as const;

/**
 * Evidence files: the rows are gathered once on every core (the joins to raw lines and subjects
 * are the expensive part), then each file is written from that table on one thread, so DuckDB's
 * writers give the same bytes on every run.
 */
async function writeEvidenceFiles(store: Store, caseFile: CaseFile, out: (name: string) => string): Promise<void> {
  await quoteLines(store, 'SELECT file_id, line FROM unauthorized');
  await store.run(`CREATE OR REPLACE TEMP TABLE ${EVIDENCE_TABLE} AS ${evidenceSql(await findingsByEvent(store, 'disclosure'))}`);
  await stage('evidence-rows');
  await store.run('SET threads = 1');
  try {
    await store.copyTo(neutralised(EVIDENCE_COLUMNS, evidenceRows()), out('evidence.csv'), COPY_OPTIONS.csv);
    await stage('evidence-csv');
    await store.copyTo(evidenceRows(), out('evidence.parquet'), COPY_OPTIONS.parquet);
    await stage('evidence-parquet');
    // Arrow holds the time as a timestamp: the same second the other files write as text.
    const schema = arrowSchema(EVIDENCE_COLUMNS);
    const arrowColumn = (c: string) => (c === 'event_time' ? "epoch_ms(date_trunc('second', sort_time))" : c);
    await writeArrowFile(store, packedSql(schema, arrowColumn, `FROM ${EVIDENCE_TABLE} ${EVIDENCE_ORDER}`), schema, out('evidence.arrow'));
    await stage('evidence-arrow');
    const subjectColumns = ['subject_id', 'documents', 'document_ids', 'accesses', 'first_access', 'last_access', 'distinct_ips'];
    const subjectsSql = SUBJECTS_SQL(caseFile.documents.subjects !== undefined);
    await store.copyTo(`SELECT ${subjectColumns.map((c) => (['documents', 'accesses', 'distinct_ips'].includes(c) ? c : `${csvCellSql(c)} AS ${c}`)).join(', ')} FROM (${subjectsSql})`, out('subjects.csv'), COPY_OPTIONS.csv);
  } finally {
    await store.run('RESET threads');
    await store.run(`DROP TABLE IF EXISTS ${EVIDENCE_TABLE}; DROP TABLE IF EXISTS quoted_lines`);
  }
}

/** Writes the data files of the pack and its manifest; returns the manifest. */
export async function writeEvidencePack(store: Store, caseFile: CaseFile, analysis: Analysis, o: PackOptions): Promise<Manifest> {
  mkdirSync(o.outDir, { recursive: true });
  const out = (name: string) => path.join(o.outDir, name);
  await writeEvidenceFiles(store, caseFile, out);
  await o.before?.();
  const { version } = await store.one<{ version: string }>('SELECT version() AS version');
  const files = await store.all<{ source: string; path: string; sha256: string; bytes: number }>('SELECT source, path, sha256, bytes FROM case_files ORDER BY path, source');
  const reference: { role: string; path: string; sha256: string }[] = (['owners', 'subjects', 'grants'] as const)
    .map((k) => [k, caseFile.documents[k]] as const)
    .filter((x): x is readonly [typeof x[0], string] => x[1] !== undefined)
    .map(([k, p]) => ({ role: `documents.${k}`, path: path.relative(caseFile.dir, p), sha256: hashFile(p).sha256 }));
  const accounts = caseFile.authorized.accountsFile;
  if (accounts !== undefined) reference.push({ role: 'authorized.accounts', path: path.relative(caseFile.dir, accounts), sha256: hashFile(accounts).sha256 });
  const e = caseFile.enrichment;
  for (const [role, file] of [['enrichment.asn', e.asn], ['enrichment.country', e.country], ...e.lists.map((l) => [`enrichment.lists.${l.name}`, l.path])] as const) {
    if (file !== undefined) reference.push({ role, path: path.relative(caseFile.dir, file), sha256: hashFile(file).sha256 });
  }
  const outputs = readdirSync(o.outDir)
    .filter((f) => f !== MANIFEST && f !== NOTICES_DIR)
    .concat(existsSync(out(NOTICES_DIR)) ? NOTICE_OUTPUTS : [])
    .sort()
    .map((f) => ({ path: f, ...hashFile(out(f)) }));
  const draft: Manifest = {
    tool: { name: 'breachscope', version: o.toolVersion, duckdb: version },
    case: { title: caseFile.title, path: path.basename(caseFile.path), sha256: caseFile.sha256 },
    generated_at: o.generatedAt.toISOString().replace('.000Z', 'Z'),
    ...(o.command === undefined ? {} : { command: ['breachscope', ...o.command] }),
    figures: analysis.summary,
    breach: { phase: caseFile.breach.phase ?? 'initial', reference: caseFile.breach.reference ?? null },
    window: analysis.window,
    coverage: coverageFacts(analysis),
    detectors: analysis.detectors.map((d) => ({ id: d.id, file: d.file, sql_sha256: d.sql_sha256 ?? null, params: d.params ?? null, findings: d.findings, error: d.error })),
    inputs: [
      { role: 'case file', path: path.basename(caseFile.path), sha256: caseFile.sha256 },
      ...reference,
      ...files.map((f) => ({ role: `source ${f.source}`, path: f.path, sha256: f.sha256, bytes: f.bytes })),
    ],
    outputs,
    self_sha256: '',
  };
  const manifest = { ...draft, self_sha256: sha256(manifestText(draft)) };
  writeFileSync(out(MANIFEST), manifestText(manifest));
  return manifest;
}

export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
