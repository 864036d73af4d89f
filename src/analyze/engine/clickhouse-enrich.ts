import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseFile } from '../../case/case-file.js';
import { compileRoute, documentSql } from '../../case/routes.js';
import type { Store } from '../../db/store.js';
import { quoteString } from '../../db/sql.js';
import { EVENTS_GLOB, referenceFilePath, REFERENCE_TABLES, type ParquetManifest } from '../../db/parquet-layout.js';
import { clientMapSql, NETWORKS_SQL, networkParams } from '../ip-sql.js';
import { chQuote, rewriteForClickHouse } from './clickhouse-dialect.js';
import { UserError } from '../../util/user-error.js';
import { stage } from '../../util/trace.js';
import type { ClickHouseSession } from './clickhouse-session.js';

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
export async function loadParquetSet(ch: ClickHouseSession, caseFile: CaseFile, dir: string, manifests: readonly ParquetManifest[], counted: readonly CountedFile[]): Promise<void> {
  const order = new Map(caseFile.sources.map((s, i) => [s.name, i] as const));
  const written = new Set(manifests.flatMap((m) => m.files.filter((f) => f.counted_with === null).map((f) => `${f.source}\0${f.path}\0${f.sha256}`)));
  const missing = counted.filter((f) => !written.has(`${f.source}\0${f.path}\0${f.sha256}`));
  if (missing.length > 0) {
    throw new UserError({
      what: `--events ${dir} does not hold ${missing.length === 1 ? 'a file' : `${missing.length} files`} of the case as it is now: ${missing.slice(0, 3).map((f) => `${f.path} (${f.source})`).join(', ')}${missing.length > 3 ? ', ...' : ''}`,
      why: 'the Parquet set was written before the file was added or changed, or by another case file',
      help: 'run `breachscope ingest <case> --parquet DIR` again (each shard) into a new folder',
    });
  }
  const files = [...counted].sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const list = ch.tempPath('log_files.jsonl');
  writeFileSync(list, files.map((f, i) => JSON.stringify({ source: f.source, file_path: f.path, file_sha256: f.sha256, ordinal: i + 1 })).join('\n'));
  await ch.run(`CREATE TABLE log_files ENGINE = Memory AS SELECT * FROM file(${chQuote(list)}, JSONEachRow, 'source String, file_path String, file_sha256 String, ordinal Int64')`);
  await ch.run(
    `CREATE VIEW case_events AS
     SELECT f.ordinal * 1000000000000 + e.line AS event_id, e.*
     FROM file(${chQuote(path.join(dir, EVENTS_GLOB))}, Parquet) e
     INNER JOIN log_files f ON f.source = e.source AND f.file_path = e.file_path AND f.file_sha256 = e.file_sha256`,
  );
  for (const t of REFERENCE_TABLES) {
    await ch.run(`CREATE TABLE ${t} ${TABLE} AS SELECT * FROM file(${chQuote(path.join(dir, referenceFilePath(t)))}, Parquet)`);
  }
  await ch.run(
    `CREATE TABLE document_owners ${TABLE} AS
     SELECT document_id, arraySort(groupArray(owner_account)) AS owners, min(category) AS category FROM owners GROUP BY document_id`,
  );
}

/** `document_requests` as enrich.ts builds it, in ClickHouse SQL: the same columns and rules. */
export async function buildDocumentRequestsOnClickHouse(ch: ClickHouseSession, store: Store, caseFile: CaseFile): Promise<void> {
  const routes = caseFile.documents.routes.map((p) => compileRoute(p));
  await ch.run(
    `CREATE TABLE doc_events ${TABLE} AS
     SELECT * FROM (
       SELECT e.event_id, e.file_path, e.line, e.source, e.time, e.client_ip, e.forwarded_for, e.method, e.path, e.status,
         e.bytes, e.user_agent, e.referer, e.account, e.session, e.request_id,
         coalesce(e.document, ${rewriteForClickHouse(documentSql(routes, 'e.path'))}) AS doc,
         CASE WHEN e.document IS NOT NULL THEN 'field' ELSE 'route' END AS document_via
       FROM case_events e WHERE e.role = 'access'
     ) WHERE doc IS NOT NULL`,
  );
  await stage('doc-events');
  await clientMapThroughDuckDb(ch, store, caseFile);
  await stage('client-map');
  await ch.run(`CREATE TABLE document_requests ${TABLE} AS ${documentRequestsSql(caseFile)}`);
}

/**
 * The client IP of each distinct (socket, forwarded-for) pair: ClickHouse writes the pairs, DuckDB
 * resolves them with the very SQL of ip-sql.ts (canonical forms, the trusted-proxy walk, networks)
 * and writes the map back. The pairs are as many as the clients, not the requests, and they pass
 * through Parquet files, never through JavaScript.
 */
async function clientMapThroughDuckDb(ch: ClickHouseSession, store: Store, caseFile: CaseFile): Promise<void> {
  const pairs = ch.tempPath('pairs.parquet');
  const map = ch.tempPath('client_map.parquet');
  await ch.run(`INSERT INTO FUNCTION file(${chQuote(pairs)}, Parquet) SELECT DISTINCT client_ip AS socket, forwarded_for AS xff FROM doc_events`);
  await store.run(NETWORKS_SQL, networkParams({ trusted: caseFile.network.trustedProxies, authorized: caseFile.authorized.networks }));
  await store.run(clientMapSql(`SELECT socket, xff FROM read_parquet(${quoteString(pairs)})`));
  await store.run(`COPY client_map TO ${quoteString(map)} (FORMAT parquet)`);
  await store.run('DROP TABLE ip_networks');
  await store.run('DROP TABLE client_map');
  await ch.run(`CREATE TABLE client_map ${TABLE} AS SELECT socket, xff, client, network FROM file(${chQuote(map)}, Parquet)`);
}

const micros = (d: Date | undefined) => (d ? `fromUnixTimestamp64Micro(toInt64(${d.getTime() * 1000}), 'UTC')` : 'NULL');

function documentRequestsSql(caseFile: CaseFile): string {
  const from = micros(caseFile.window.from);
  const to = micros(caseFile.window.to);
  return `WITH by_request AS (
       SELECT request_id AS r_request_id, argMin(account, event_id) AS r_account
       FROM case_events WHERE role = 'identity' AND request_id IS NOT NULL AND account IS NOT NULL
       GROUP BY r_request_id
     ), by_session AS (
       SELECT assumeNotNull(session) AS s_session, assumeNotNull(time) AS s_time, argMax(account, event_id) AS s_account
       FROM case_events WHERE role = 'identity' AND session IS NOT NULL AND time IS NOT NULL
       GROUP BY s_session, s_time
     ), joined AS (
       SELECT d.*, r.r_account AS request_account, s.s_account AS session_account
       FROM doc_events d
       LEFT JOIN by_request r ON d.request_id = r.r_request_id
       ASOF LEFT JOIN by_session s ON ifNull(d.session, '') = s.s_session AND ifNull(d.time, toDateTime64('1900-01-01 00:00:00', 6, 'UTC')) >= s.s_time
     ), resolved AS (
       SELECT j.*,
         coalesce(j.account, j.request_account, if(j.session IS NULL, NULL, j.session_account)) AS actor_account,
         multiIf(j.account IS NOT NULL, 'log', j.request_account IS NOT NULL, 'request_id',
                 j.session IS NOT NULL AND j.session_account IS NOT NULL, 'session', NULL) AS account_via,
         c.client AS client, c.network AS authorized_network
       FROM joined j
       LEFT JOIN client_map c ON isNotDistinctFrom(j.client_ip, c.socket) AND isNotDistinctFrom(j.forwarded_for, c.xff)
     )
     SELECT
       r.event_id, r.file_path, r.line, r.source, r.time,
       r.client AS client_ip, r.client_ip AS socket_ip, r.forwarded_for,
       r.method, r.path, r.status, r.bytes, r.user_agent, r.referer, r.session, r.request_id,
       r.actor_account AS account, r.account_via,
       r.doc AS document, r.document_via,
       o.owners, o.category,
       o.document_id IS NOT NULL AS known_document,
       coalesce(CASE WHEN r.status IS NULL THEN r.document_via = 'field' ELSE r.status BETWEEN 200 AND 299 END, false)
         AND coalesce(upper(r.method), '') NOT IN ('HEAD', 'OPTIONS') AS disclosure,
       coalesce(r.status IN (401, 403, 404), false) AS attempt,
       coalesce((${from} IS NULL OR r.time >= ${from}) AND (${to} IS NULL OR r.time < ${to}), false) AS in_window,
       CASE
         WHEN r.actor_account IS NOT NULL AND has(o.owners, r.actor_account) THEN 'owner'
         WHEN g.account IS NOT NULL THEN 'grant'
         WHEN a.account IS NOT NULL THEN 'authorized account'
         WHEN r.authorized_network IS NOT NULL THEN 'authorized network ' || r.authorized_network
       END AS authorized_by
     FROM resolved r
     LEFT JOIN document_owners o ON o.document_id = r.doc
     LEFT JOIN (SELECT DISTINCT account, document_id FROM grants) g ON g.account = r.actor_account AND g.document_id = r.doc
     LEFT JOIN authorized_accounts a ON a.account = r.actor_account`;
}
