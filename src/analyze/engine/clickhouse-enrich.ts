import { writeFileSync } from 'node:fs';
import type { CaseFile } from '../../case/case-file.js';
import { documentSql } from '../../case/routes.js';
import type { Store } from '../../db/store.js';
import { quoteString } from '../../db/sql.js';
import { EVENTS_GLOB, referenceFilePath, REFERENCE_TABLES, type ParquetManifest } from '../../db/parquet-layout.js';
import { resolveClients } from '../ip-sql.js';
import { compileRoutes } from '../enrich.js';
import { rewriteForClickHouse } from './clickhouse-dialect.js';
import { UserError } from '../../util/user-error.js';
import { stage } from '../../util/trace.js';
import { docEventsSelect, documentRequestsSelect } from '../document-requests-sql.js';
import type { ClickHouse } from './clickhouse.js';
import { firstLine, type EventsLocation } from './clickhouse-location.js';

const TABLE = 'ENGINE = MergeTree ORDER BY tuple()';

/** A log file the case counts (case_chain_file: the file that holds a stored content's counted lines). */
export interface CountedFile {
  readonly source: string;
  readonly path: string;
  readonly sha256: string;
}

/**
 * `case_events` over the Parquet set and the reference tables. Only the Parquet of the files the
 * case counts is read (`counted`, from the store's selection): a log and a grown or rotated copy of
 * it read by different shards are counted once, as in a store. An event's id is its log file's
 * place in the case (source order, then path: the order a fresh store reads them) times 1e12 plus
 * its line, so every shard layout of one case gives the same ids.
 */
export async function loadParquetSet(ch: ClickHouse, caseFile: CaseFile, events: EventsLocation, manifests: readonly ParquetManifest[], counted: readonly CountedFile[]): Promise<void> {
  const order = new Map(caseFile.sources.map((s, i) => [s.name, i] as const));
  const written = new Set(manifests.flatMap((m) => m.files.filter((f) => f.counted_with === null).map((f) => `${f.source}\0${f.path}\0${f.sha256}`)));
  const missing = counted.filter((f) => !written.has(`${f.source}\0${f.path}\0${f.sha256}`));
  if (missing.length > 0) {
    throw new UserError({
      what: `--events ${events.shown} does not hold ${missing.length === 1 ? 'a file' : `${missing.length} files`} of the case as it is now: ${missing.slice(0, 3).map((f) => `${f.path} (${f.source})`).join(', ')}${missing.length > 3 ? ', ...' : ''}`,
      why: 'the Parquet set was written before the file was added or changed, or by another case file',
      help: 'run `breachscope ingest <case> --parquet DIR` again (each shard) into a new folder',
    });
  }
  const files = [...counted].sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const list = ch.tempPath('log_files.csv');
  writeFileSync(list, files.map((f, i) => [f.source, f.path, f.sha256].map(csvField).join(',') + `,${i + 1}\n`).join(''));
  await ch.run('CREATE TABLE log_files (source String, file_path String, file_sha256 String, ordinal Int64) ENGINE = Memory');
  await ch.upload('log_files', list, 'CSV');
  // The set is read in a subquery: with s3Cluster the nodes read the Parquet and the join with
  // log_files (a table of this run's database, on the server we talk to) runs where log_files is.
  await readingSet(events, 'the events', () =>
    ch.run(
      `CREATE VIEW case_events AS
       SELECT f.ordinal * 1000000000000 + e.line AS event_id, e.*
       FROM (SELECT * FROM ${events.read(EVENTS_GLOB, 'Parquet')}) e
       INNER JOIN log_files f ON f.source = e.source AND f.file_path = e.file_path AND f.file_sha256 = e.file_sha256`,
    ),
  );
  for (const t of REFERENCE_TABLES) {
    await readingSet(events, referenceFilePath(t), () => ch.run(`CREATE TABLE ${t} ${TABLE} AS SELECT * FROM ${events.read(referenceFilePath(t), 'Parquet')}`));
  }
  await ch.run(
    `CREATE TABLE document_owners ${TABLE} AS
     SELECT document_id, arraySort(groupArray(owner_account)) AS owners, min(category) AS category FROM owners GROUP BY document_id`,
  );
}

/** The first read of a part of the set: a ClickHouse that cannot read it is an input error naming the part. */
async function readingSet(events: EventsLocation, part: string, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError({
      what: `--events ${events.shown}: ClickHouse cannot read ${part} of the Parquet set`,
      why: firstLine(e),
      help: 'give the folder or location that `breachscope ingest <case> --parquet` wrote, whole (each shard, and reference/ beside them)',
    });
  }
}

/** A CSV field as ClickHouse reads it: always quoted, a quote doubled (a path may hold commas, quotes, newlines). */
const csvField = (v: string): string => `"${v.replaceAll('"', '""')}"`;

/** `document_requests` as enrich.ts builds it, in ClickHouse SQL: the same columns and rules. */
export async function buildDocumentRequestsOnClickHouse(ch: ClickHouse, store: Store, caseFile: CaseFile): Promise<void> {
  const routes = compileRoutes(caseFile);
  await ch.run(`CREATE TABLE doc_events ${TABLE} AS ${rewriteForClickHouse(docEventsSelect(documentSql(routes, 'e.path'), 'file_path'))}`);
  await stage('doc-events');
  await clientMapThroughDuckDb(ch, store, caseFile);
  await stage('client-map');
  await ch.run(`CREATE TABLE document_requests ${TABLE} AS ${rewriteForClickHouse(documentRequestsSelect(caseFile.window, 'file_path'))}`);
}

/**
 * The client IP of each distinct (socket, forwarded-for) pair: ClickHouse writes the pairs, DuckDB
 * resolves them with the very SQL of ip-sql.ts (canonical forms, the trusted-proxy walk, networks)
 * and writes the map back. The pairs are as many as the clients, not the requests, and they pass
 * through Parquet files, never through JavaScript.
 */
async function clientMapThroughDuckDb(ch: ClickHouse, store: Store, caseFile: CaseFile): Promise<void> {
  const pairs = ch.tempPath('pairs.parquet');
  const map = ch.tempPath('client_map.parquet');
  await ch.download('SELECT DISTINCT client_ip AS socket, forwarded_for AS xff FROM doc_events', pairs, 'Parquet');
  await resolveClients(store, `SELECT socket, xff FROM read_parquet(${quoteString(pairs)})`, {
    trusted: caseFile.network.trustedProxies,
    authorized: caseFile.authorized.networks,
  });
  await store.run(`COPY (SELECT socket, xff, client, network FROM client_map) TO ${quoteString(map)} (FORMAT parquet)`);
  await store.run('DROP TABLE client_map');
  await ch.run(`CREATE TABLE client_map (socket Nullable(String), xff Nullable(String), client Nullable(String), network Nullable(String)) ${TABLE}`);
  await ch.upload('client_map', map, 'Parquet');
}
