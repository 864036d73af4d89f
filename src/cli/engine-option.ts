import { rmSync } from 'node:fs';
import path from 'node:path';
import { Option } from 'commander';
import type { FigureEngine } from '../analyze/analysis.js';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { UserError } from '../util/user-error.js';
import { stage } from '../util/trace.js';

export const ENGINES = ['duckdb', 'clickhouse'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface EngineOptions {
  readonly engine?: EngineName;
  readonly events?: string;
  readonly clickhouseUrl?: string;
  readonly clickhouseCluster?: string;
}

/** The options `analyze` and `report` share to choose where enrichment, detectors and figures run. */
export function engineOptions(): Option[] {
  return [
    new Option('--engine <name>', 'where enrichment, detectors and figures run').choices(ENGINES).default('duckdb'),
    new Option('--events <location>', 'with --engine clickhouse: the Parquet set `ingest --parquet` wrote (default: written from the store); with --clickhouse-url, as the server reads it: s3://bucket/prefix/, https://..., or a path on the server'),
    new Option('--clickhouse-url <url>', 'with --engine clickhouse: a ClickHouse server (HTTP interface) instead of chdb in-process; user and password in the URL or CLICKHOUSE_USER / CLICKHOUSE_PASSWORD'),
    new Option('--clickhouse-cluster <name>', 'with --clickhouse-url and an s3:// or https:// --events: read the set with s3Cluster over this cluster'),
  ];
}

/**
 * The figure engine the options name, or undefined for DuckDB (analysis.ts's own). With ClickHouse
 * and no --events, the case's events are first written as a Parquet set in the store's folder.
 */
export async function figureEngine(o: EngineOptions, store: Store, caseFile: CaseFile): Promise<FigureEngine | undefined> {
  if ((o.engine ?? 'duckdb') === 'duckdb') {
    if (o.events !== undefined || o.clickhouseUrl !== undefined || o.clickhouseCluster !== undefined) {
      throw new UserError({ what: '--events, --clickhouse-url and --clickhouse-cluster need --engine clickhouse', help: 'add --engine clickhouse, or leave them out' });
    }
    return undefined;
  }
  if (o.clickhouseUrl === undefined && o.clickhouseCluster !== undefined) {
    throw new UserError({ what: '--clickhouse-cluster needs --clickhouse-url', why: 'the cluster is named to the server that runs the queries', help: 'add --clickhouse-url, or leave out --clickhouse-cluster' });
  }
  if (caseFile.exclude.crawlers) {
    throw new UserError({
      what: 'exclude: {crawlers: true} is not available with --engine clickhouse in this version',
      where: caseFile.path,
      why: 'known crawlers are marked in DuckDB after ClickHouse has made the figures, so they could be totalled but not left out',
      help: 'run with --engine duckdb (the default), or count crawlers in (leave out exclude.crawlers)',
    });
  }
  if (o.clickhouseUrl !== undefined) return serverEngine(o.clickhouseUrl, o.events, o.clickhouseCluster);
  if (o.events !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(o.events)) {
    throw new UserError({
      what: `--events ${o.events}: the in-process engine reads a folder of this machine`,
      why: 'object storage and URLs are read by a ClickHouse server',
      help: 'add --clickhouse-url (and --clickhouse-cluster for s3Cluster), or copy the set into a local folder',
    });
  }
  let dir = o.events === undefined ? undefined : path.resolve(o.events);
  if (dir === undefined) {
    dir = path.join(store.dir, 'parquet');
    rmSync(dir, { recursive: true, force: true });
    const { writeParquetSet } = await import('../export/parquet-set.js');
    await writeParquetSet(store, caseFile, dir, { index: 1, count: 1 }, { reference: false });
    await stage('parquet-set-written');
  }
  const [{ clickhouseEngine }, { localEvents }, { ClickHouseSession }] = await Promise.all([
    import('../analyze/engine/clickhouse-figures.js'),
    import('../analyze/engine/clickhouse-location.js'),
    import('../analyze/engine/clickhouse-session.js'),
  ]);
  return clickhouseEngine({ events: localEvents(dir), open: () => ClickHouseSession.open(), writeReferenceTo: o.events === undefined ? dir : undefined });
}

/** A ClickHouse server reads the set where --events says: it cannot read this machine's files. */
async function serverEngine(url: string, events: string | undefined, cluster: string | undefined): Promise<FigureEngine> {
  if (events === undefined) {
    throw new UserError({
      what: '--clickhouse-url needs --events LOCATION',
      why: 'the server reads the Parquet set itself, and it cannot read the folder this machine would write',
      help: 'write the set with `breachscope ingest <case> --parquet DIR`, put it where the server reads it (s3://bucket/prefix/ or a path on the server) and give that as --events',
    });
  }
  const [{ clickhouseEngine }, { serverEvents }, { ClickHouseServer, serverTarget }] = await Promise.all([
    import('../analyze/engine/clickhouse-figures.js'),
    import('../analyze/engine/clickhouse-location.js'),
    import('../analyze/engine/clickhouse-server.js'),
  ]);
  serverTarget(url);
  return clickhouseEngine({ events: serverEvents(events, cluster), open: () => ClickHouseServer.open(url) });
}

/**
 * The command line with the password of a `--clickhouse-url` replaced by `***`: the evidence pack
 * records its command line, and a password must not travel with the pack.
 */
export function redactClickHouseUrl(argv: readonly string[]): string[] {
  const redact = (v: string): string => v.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/]*@/i, '$1***@');
  return argv.map((a, i) => {
    if (argv[i - 1] === '--clickhouse-url') return redact(a);
    return a.startsWith('--clickhouse-url=') ? `--clickhouse-url=${redact(a.slice('--clickhouse-url='.length))}` : a;
  });
}
