import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, UserError } from '../util/user-error.js';

/*
 * The Parquet set `ingest --parquet DIR` writes and `analyze --engine clickhouse` reads:
 *   DIR/source=<source>/day=<YYYY-MM-DD|none>/<log file sha256>.parquet   events with provenance
 *   DIR/reference/<table>.parquet                                           owners, subjects, grants, authorized_accounts
 *   DIR/manifest-<I>-of-<N>.json                                            one per shard: every file it wrote
 * Written once here so that the writer and both engines agree on names and columns.
 */

/** Columns of an events Parquet file, in order: provenance, then the event fields (db/schema.ts). */
export const PARQUET_EVENT_COLUMNS = [
  'source', 'role', 'file_path', 'file_sha256', 'line',
  'time', 'client_ip', 'forwarded_for', 'vhost', 'method', 'path', 'protocol', 'status', 'bytes',
  'user_agent', 'referer', 'account', 'session', 'request_id', 'document',
] as const;

export const REFERENCE_TABLES = ['owners', 'subjects', 'grants', 'authorized_accounts'] as const;
export type ReferenceTable = (typeof REFERENCE_TABLES)[number];

export interface ParquetFileEntry {
  /** Relative to the set's folder, with `/`. */
  readonly path: string;
  readonly sha256: string;
  readonly rows: number;
}

export interface ManifestLogFile {
  readonly source: string;
  readonly path: string;
  readonly sha256: string;
  /** Set when another file of the case holds the same lines: its events are in that file's Parquet. */
  readonly counted_with: string | null;
  readonly parquet: readonly ParquetFileEntry[];
}

export interface ParquetManifest {
  readonly schema_version: 1;
  readonly case: string;
  readonly shard: string;
  readonly files: readonly ManifestLogFile[];
  readonly reference: readonly (ParquetFileEntry & { readonly table: ReferenceTable })[];
}

/** A partition value as a path segment: a source name may hold `/`, `=` or `..`. */
export const partitionValue = (v: string): string => encodeURIComponent(v).replaceAll('.', '%2E');

export const eventsFilePath = (source: string, day: string | null, sha256: string): string =>
  `source=${partitionValue(source)}/day=${day ?? 'none'}/${sha256}.parquet`;

export const referenceFilePath = (table: ReferenceTable): string => `reference/${table}.parquet`;

export const manifestName = (index: number, count: number): string => `manifest-${index}-of-${count}.json`;

/** The glob of every events file of a set (relative to its folder), for engines that read by pattern. */
export const EVENTS_GLOB = 'source=*/day=*/*.parquet';

/** Every shard manifest in `dir`, checked to be one complete set: all N shards of one N. */
export function readManifests(dir: string): ParquetManifest[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^manifest-[0-9]+-of-[0-9]+\.json$/.test(n));
  } catch (e) {
    throw new UserError({ what: `--events ${dir}: cannot read the folder`, why: (e as Error).message, help: 'give the folder that `breachscope ingest <case> --parquet DIR` wrote' });
  }
  return checkManifests(dir, names.map((n) => ({ name: n, text: readFileSync(path.join(dir, n), 'utf8') })));
}

/** The manifests of a set read elsewhere (through a ClickHouse server), checked as readManifests checks them. */
export function checkManifests(dir: string, named: readonly { readonly name: string; readonly text: string }[]): ParquetManifest[] {
  const ours = named.filter((m) => /^manifest-[0-9]+-of-[0-9]+\.json$/.test(m.name));
  if (ours.length === 0) {
    throw new UserError({ what: `--events ${dir} holds no manifest-I-of-N.json`, help: 'write it with `breachscope ingest <case> --parquet DIR` (--shard I/N on each of N machines)' });
  }
  const manifests = ours.map((m) => {
    try {
      return JSON.parse(m.text) as ParquetManifest;
    } catch (e) {
      throw new UserError({ what: `--events ${dir}: ${m.name} is not JSON`, why: (e as Error).message, help: 'write the set again with `breachscope ingest <case> --parquet DIR`' });
    }
  });
  const counts = new Set(manifests.map((m) => m.shard.split('/')[1]));
  const shards = new Set(manifests.map((m) => m.shard));
  const n = Number([...counts][0]);
  if (counts.size !== 1 || shards.size !== n) {
    throw new UserError(
      { what: `--events ${dir}: the shards are not one complete set (found ${[...shards].sort().join(', ')})`, why: 'a figure over part of the logs would be a confident undercount', help: 'run the missing shards, or ingest into a new folder' },
      EXIT.usage,
    );
  }
  return manifests;
}
