import { accessTierSql, tierCounts } from '../tiers.js';
import { markCrawlers, settleCrawlers } from '../crawlers.js';
import { buildIpContext } from '../ip-context.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CaseFile } from '../../case/case-file.js';
import type { loadDetectors } from '../../case/detector-catalog.js';
import type { Store } from '../../db/store.js';
import { quoteString } from '../../db/sql.js';
import { stage } from '../../util/trace.js';
import type { Figures, Summary, TopRow } from '../analysis.js';
import { chQuote } from './clickhouse-dialect.js';
import { buildDocumentRequestsOnClickHouse, loadParquetSet } from './clickhouse-enrich.js';
import { runDetectorsOnClickHouse } from './clickhouse-detectors.js';
import type { ClickHouse } from './clickhouse.js';
import { loadManifests, type EventsLocation } from './clickhouse-location.js';
import { writeReferenceTables } from './reference-parquet.js';

const iso = (micros: unknown): string | null =>
  micros === null || micros === undefined ? null : new Date(Math.floor(Number(micros) / 1000)).toISOString().replace('.000Z', 'Z');

/** Where a ClickHouse run reads the set and which ClickHouse runs it. */
export interface ClickHouseRun {
  readonly events: EventsLocation;
  /** Opens the ClickHouse the run uses: chdb in-process or a server. */
  readonly open: () => Promise<ClickHouse>;
  /** A set written from the store just now: its reference tables are written into this folder first. */
  readonly writeReferenceTo?: string;
}

/**
 * The figure engine for `--engine clickhouse`: enrichment, detectors and figures in ClickHouse SQL
 * over the Parquet set at `run.events`. The tables the renderers read (`document_requests`,
 * `findings`, `unauthorized`) are handed back to the DuckDB connection.
 */
export function clickhouseEngine(run: ClickHouseRun) {
  return async (store: Store, caseFile: CaseFile, top: number, loaded: ReturnType<typeof loadDetectors>): Promise<Figures> => {
    if (run.writeReferenceTo !== undefined) {
      await writeReferenceTables(store, run.writeReferenceTo);
    }
    const ch = await run.open();
    await stage('clickhouse-open');
    try {
      const manifests = await loadManifests(ch, run.events);
      const counted = await store.all<{ source: string; path: string; sha256: string }>('SELECT source, path, sha256 FROM case_chain_file');
      await loadParquetSet(ch, caseFile, run.events, manifests, counted);
      await stage('parquet-set-loaded');
      await buildDocumentRequestsOnClickHouse(ch, store, caseFile);
      await stage('document-requests-built');
      const runs = await runDetectorsOnClickHouse(ch, caseFile.detectors, loaded);
      await stage('detectors-run');
      await ch.run(
        `CREATE TABLE unauthorized ENGINE = MergeTree ORDER BY tuple() AS
         SELECT r.*, f.detectors FROM document_requests r
         INNER JOIN (SELECT event_id, arraySort(groupUniqArray(detector)) AS detectors FROM findings WHERE counts_as = 'disclosure' GROUP BY event_id) f
         ON f.event_id = r.event_id`,
      );
      const hasSubjects = caseFile.documents.subjects !== undefined;
      const figures = { summary: await summary(ch, hasSubjects), context: await context(ch), top: await tops(ch, top, hasSubjects), runs };
      await stage('figures');
      await handBack(ch, store);
      await stage('handed-back');
      // The tier needs the store's format of each line's file: counted in DuckDB, as the tier column is;
      // crawlers and IP context are marked in DuckDB too, over the tables handed back.
      await buildIpContext(store, caseFile);
      const crawlers = await settleCrawlers(store, false);
      return { ...figures, summary: { ...figures.summary, tiers: await tierCounts(store) }, crawlers };
    } finally {
      await ch.close();
    }
  };
}

async function summary(ch: ClickHouse, hasSubjects: boolean): Promise<Omit<Summary, 'tiers'>> {
  const s = await ch.one(
    `SELECT count() AS unauthorized_accesses, uniqExact(document) AS documents, uniqExact(client_ip) AS unique_ips,
       uniqExact(account) AS accounts, countIf(account IS NULL) AS anonymous_accesses,
       toUnixTimestamp64Micro(min(time)) AS first_access, toUnixTimestamp64Micro(max(time)) AS last_access
     FROM unauthorized`,
  );
  const { n } = await ch.one<{ n: number }>(
    hasSubjects
      ? 'SELECT uniqExact(subject_id) AS n FROM subjects WHERE document_id IN (SELECT document FROM unauthorized)'
      : 'SELECT uniqExact(o) AS n FROM unauthorized ARRAY JOIN owners AS o',
  );
  const count = Number(s.unauthorized_accesses);
  return {
    unauthorized_accesses: count,
    documents: Number(s.documents),
    unique_ips: Number(s.unique_ips),
    affected_subjects: Number(n),
    accounts: Number(s.accounts),
    anonymous_accesses: Number(s.anonymous_accesses),
    first_access: count === 0 ? null : iso(s.first_access),
    last_access: count === 0 ? null : iso(s.last_access),
    subjects_from: hasSubjects ? 'subjects file' : 'owner accounts',
  };
}

async function context(ch: ClickHouse): Promise<Figures['context']> {
  const c = await ch.one<Record<string, number>>(
    `SELECT count() AS document_requests,
       countIf(disclosure AND in_window) AS disclosures_in_window,
       countIf(disclosure AND in_window AND known_document AND authorized_by IS NOT NULL) AS authorized_disclosures,
       countIf(disclosure AND in_window AND NOT known_document) AS unknown_document_disclosures,
       countIf(attempt AND in_window) AS attempts,
       countIf(disclosure AND NOT in_window AND known_document AND authorized_by IS NULL) AS outside_window_disclosures
     FROM document_requests`,
  );
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Number(v)])) as unknown as Figures['context'];
}

async function tops(ch: ClickHouse, n: number, hasSubjects: boolean): Promise<Figures['top']> {
  const by = async (key: 'client_ip' | 'account' | 'document'): Promise<TopRow[]> => {
    const subjects = hasSubjects
      ? `(SELECT u.${key} AS k, uniqExact(s.subject_id) AS subjects
          FROM (SELECT DISTINCT ${key}, document FROM unauthorized WHERE ${key} IS NOT NULL) u
          INNER JOIN subjects s ON s.document_id = u.document GROUP BY u.${key})`
      : `(SELECT ${key} AS k, uniqExactArray(owners) AS subjects FROM unauthorized WHERE ${key} IS NOT NULL GROUP BY ${key})`;
    const rows = await ch.all(
      `SELECT t.key AS key, t.accesses AS accesses, t.documents AS documents, t.ips AS ips, t.accounts AS accounts,
         ifNull(x.subjects, 0) AS subjects, t.first AS first, t.last AS last
       FROM (
         SELECT assumeNotNull(${key}) AS key, count() AS accesses, uniqExact(document) AS documents, uniqExact(client_ip) AS ips,
           uniqExact(account) AS accounts, toUnixTimestamp64Micro(min(time)) AS first, toUnixTimestamp64Micro(max(time)) AS last
         FROM unauthorized WHERE ${key} IS NOT NULL GROUP BY key
       ) t LEFT JOIN ${subjects} x ON x.k = t.key
       ORDER BY accesses DESC, key LIMIT ${Math.trunc(n)}`,
    );
    return rows.map((r) => ({
      key: String(r.key), accesses: Number(r.accesses), documents: Number(r.documents), ips: Number(r.ips),
      accounts: Number(r.accounts), subjects: Number(r.subjects), first: iso(r.first), last: iso(r.last),
    }));
  };
  return { ips: await by('client_ip'), accounts: await by('account'), documents: await by('document') };
}

/**
 * The tables renderers and warnings read, handed to DuckDB as views over Parquet files that live
 * until the process exits (nothing is copied twice). A request gets back the store's `file_id` of
 * the segment that holds its line, for the renderers that quote the raw line (evidence pack, export).
 */
async function handBack(ch: ClickHouse, store: Store): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'breachscope-tables-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const table of ['document_requests', 'findings', 'unauthorized']) {
    const file = path.join(dir, `${table}.parquet`);
    await ch.download(`SELECT * FROM ${table}`, file, 'Parquet');
    const rows = `read_parquet(${quoteString(file)})`;
    await store.run(`DROP TABLE IF EXISTS ${table}`);
    await store.run(
      table === 'findings'
        ? `CREATE OR REPLACE TEMP VIEW findings AS SELECT * FROM ${rows}`
        : `CREATE OR REPLACE TEMP VIEW ${table} AS
           SELECT p.*, f.file_id${table === 'unauthorized' ? `, ${accessTierSql('p', 'f')} AS tier, (SELECT c.crawler FROM crawler_agents c WHERE c.user_agent = p.user_agent) AS crawler` : ''} FROM ${rows} p
           LEFT JOIN case_chain_file k ON k.path = p.file_path AND k.source = p.source
           LEFT JOIN files f ON f.chain_id = k.chain_id AND p.line BETWEEN f.first_line AND f.physical_lines
             AND f.file_id IN (SELECT file_id FROM case_segments)`,
    );
    if (table === 'document_requests') await markCrawlers(store);
  }
  // The enumeration detector's own rows (burst size, walk length): the actors' pattern reads them.
  const enumeration = 'detector_document_id_enumeration';
  if ((await ch.all<{ name: string }>(`SELECT name FROM system.tables WHERE database = currentDatabase() AND name = ${chQuote(enumeration)}`)).length > 0) {
    const file = path.join(dir, `${enumeration}.parquet`);
    await ch.download(`SELECT * FROM ${enumeration}`, file, 'Parquet');
    await store.run(`CREATE OR REPLACE TEMP VIEW ${enumeration} AS SELECT * FROM read_parquet(${quoteString(file)})`);
  }
}
