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
}

/** The options `analyze` and `report` share to choose where enrichment, detectors and figures run. */
export function engineOptions(): Option[] {
  return [
    new Option('--engine <name>', 'where enrichment, detectors and figures run').choices(ENGINES).default('duckdb'),
    new Option('--events <dir>', 'with --engine clickhouse: the Parquet set `ingest --parquet` wrote (default: written from the store)'),
    new Option('--clickhouse-url <url>', 'with --engine clickhouse: a ClickHouse server or cluster instead of chdb in-process'),
  ];
}

/**
 * The figure engine the options name, or undefined for DuckDB (analysis.ts's own). With ClickHouse
 * and no --events, the case's events are first written as a Parquet set in the store's folder.
 */
export async function figureEngine(o: EngineOptions, store: Store, caseFile: CaseFile): Promise<FigureEngine | undefined> {
  if ((o.engine ?? 'duckdb') === 'duckdb') {
    if (o.events !== undefined || o.clickhouseUrl !== undefined) {
      throw new UserError({ what: '--events and --clickhouse-url need --engine clickhouse', help: 'add --engine clickhouse, or leave them out' });
    }
    return undefined;
  }
  if (o.clickhouseUrl !== undefined) {
    throw new UserError({
      what: '--clickhouse-url: running on a ClickHouse server is not available in this version',
      why: 'only the in-process engine (chdb) is implemented so far',
      help: 'leave out --clickhouse-url to run ClickHouse in-process (npm run setup:clickhouse installs it)',
    });
  }
  if (caseFile.exclude.crawlers) {
    throw new UserError({
      what: 'exclude: {crawlers: true} is not available with --engine clickhouse in this version',
      where: caseFile.path,
      why: 'known crawlers are marked in DuckDB after ClickHouse has made the figures, so they could be totalled but not left out',
      help: 'run with --engine duckdb (the default), or count crawlers in (leave out exclude.crawlers)',
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
  const { clickhouseEngine } = await import('../analyze/engine/clickhouse-figures.js');
  return clickhouseEngine(dir, { writeReference: o.events === undefined });
}
