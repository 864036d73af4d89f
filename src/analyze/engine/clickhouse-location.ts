import path from 'node:path';
import { checkManifests, readManifests, type ParquetManifest } from '../../db/parquet-layout.js';
import { EXIT, UserError } from '../../util/user-error.js';
import { chQuote } from './clickhouse-dialect.js';
import type { ClickHouse } from './clickhouse.js';

/**
 * Where ClickHouse reads the Parquet set (`--events`): the table function that reads a file or a
 * glob of the set, as the ClickHouse that runs the SQL sees it.
 */
export interface EventsLocation {
  /** As the person gave it, for messages. */
  readonly shown: string;
  /** A table function reading `relative` (a path or glob inside the set, with `/`) in `format`. */
  read(relative: string, format: string): string;
  /** Set when the set is a folder of this machine: its manifests are read here. */
  readonly localDir?: string;
}

/** A folder of this machine, read by chdb in-process. */
export function localEvents(dir: string): EventsLocation {
  return { shown: dir, localDir: dir, read: (relative, format) => `file(${chQuote(path.join(dir, relative))}, ${format})` };
}

const OBJECT_STORE = /^(s3|https?):\/\//i;

/**
 * The location a ClickHouse server reads: `s3://bucket/prefix/` or `https://...` through
 * `s3Cluster(cluster, ...)` (every node of the cluster reads a part) or `s3(...)` without a
 * cluster name; anything else is a path on the server, read with `file()` (the server's
 * user_files_path rules apply).
 */
export function serverEvents(location: string, cluster: string | undefined): EventsLocation {
  const base = location.replace(/\/+$/, '');
  if (OBJECT_STORE.test(location)) {
    const where = (relative: string) => chQuote(`${base}/${relative}`);
    return {
      shown: location,
      read: (relative, format) => (cluster === undefined ? `s3(${where(relative)}, ${format})` : `s3Cluster(${chQuote(cluster)}, ${where(relative)}, ${format})`),
    };
  }
  return { shown: location, read: (relative, format) => `file(${chQuote(path.posix.join(base, relative))}, ${format})` };
}

/** The set's shard manifests: from this machine's folder, or through the ClickHouse that reads the set. */
export async function loadManifests(ch: ClickHouse, events: EventsLocation): Promise<ParquetManifest[]> {
  if (events.localDir !== undefined) return readManifests(events.localDir);
  let named: { name: string; text: string }[];
  try {
    named = await ch.all<{ name: string; text: string }>(`SELECT _file AS name, json AS text FROM ${events.read('manifest-*-of-*.json', 'JSONAsString')}`);
  } catch (e) {
    throw new UserError(
      {
        what: `--events ${events.shown}: the ClickHouse server cannot read the Parquet set there`,
        why: firstLine(e),
        help: 'give the location as the server sees it (s3://bucket/prefix/, https://..., or a path under its user_files_path) where `breachscope ingest --parquet` wrote the set, and check the server\'s credentials for it',
      },
      EXIT.usage,
    );
  }
  return checkManifests(events.shown, named);
}

/** The first line of an error's message, bounded: what a person needs, no stack. */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 400);
}
