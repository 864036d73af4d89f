import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { quoteString } from '../db/sql.js';
import { fileSha256 } from '../util/file-sha256.js';
import { writeReferenceTables } from '../analyze/engine/reference-parquet.js';
import { loadReferenceData } from '../analyze/reference-data.js';
import {
  eventsFilePath, manifestName, PARQUET_EVENT_COLUMNS, REFERENCE_TABLES, referenceFilePath,
  type ManifestLogFile, type ParquetFileEntry, type ParquetManifest,
} from '../db/parquet-layout.js';

/**
 * Writes what the case selected in `store` (selectCaseFiles: this shard's files) as a Parquet set
 * under `dir` (db/parquet-layout.ts): per log file and UTC day, its events with provenance; the
 * reference data beside them; and this shard's manifest. DuckDB writes every file (COPY); Node only
 * hashes them.
 */
export async function writeParquetSet(store: Store, caseFile: CaseFile, dir: string, shard: { index: number; count: number }, o: { reference?: boolean } = {}): Promise<ParquetManifest> {
  mkdirSync(dir, { recursive: true });
  const chains = await store.all<{ chain_id: number; source: string; path: string; sha256: string }>(
    'SELECT chain_id, source, path, sha256 FROM case_chain_file ORDER BY path, source',
  );
  const written = new Map<number, ParquetFileEntry[]>();
  for (const c of chains) written.set(c.chain_id, await writeChain(store, dir, c));
  const caseFiles = await store.all<{ source: string; path: string; sha256: string; chain_id: number }>(
    'SELECT source, path, sha256, chain_id FROM case_files ORDER BY path, source',
  );
  const holder = new Map(chains.map((c) => [c.chain_id, c] as const));
  const files: ManifestLogFile[] = caseFiles.map((f) => {
    const h = holder.get(f.chain_id)!;
    const holds = h.path === f.path && h.source === f.source;
    return { source: f.source, path: f.path, sha256: f.sha256, counted_with: holds ? null : h.path, parquet: holds ? written.get(f.chain_id)! : [] };
  });
  const manifest: ParquetManifest = {
    schema_version: 1,
    case: caseFile.title,
    shard: `${shard.index}/${shard.count}`,
    files,
    // Without it (analyze writing its own set), the engine writes the reference tables analyze loads anyway.
    reference: o.reference === false ? [] : (await loadReferenceData(store, caseFile), await writeReferenceTables(store, dir)),
  };
  writeFileSync(path.join(dir, manifestName(shard.index, shard.count)), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function writeChain(store: Store, dir: string, c: { chain_id: number; source: string; path: string; sha256: string }): Promise<ParquetFileEntry[]> {
  const sourceDir = path.join(dir, path.dirname(path.dirname(eventsFilePath(c.source, null, c.sha256))));
  const days = await store.all<{ day: string | null; n: number }>(
    `SELECT strftime(timezone('UTC', e.time), '%Y-%m-%d') AS day, count(*) AS n
     FROM events e JOIN case_segments s ON s.file_id = e.file_id WHERE s.chain_id = $chain AND e.line <= s.upto GROUP BY day`,
    { chain: c.chain_id },
  );
  // One COPY per log file, partitioned by day; COPY cannot bind its target, so the path is quoted.
  // DuckDB names each partition's file <pattern>0.parquet: renamed to <sha256>.parquet after.
  await store.run(
    `COPY (
       SELECT $source AS source, e.role, $path AS file_path, $sha AS file_sha256, e.line,
         ${PARQUET_EVENT_COLUMNS.slice(5).map((col) => `e.${col}`).join(', ')},
         coalesce(strftime(timezone('UTC', e.time), '%Y-%m-%d'), 'none') AS day
       FROM events e JOIN case_segments s ON s.file_id = e.file_id
       WHERE s.chain_id = $chain AND e.line <= s.upto ORDER BY e.line
     ) TO ${quoteString(sourceDir)} (FORMAT parquet, PARTITION_BY (day), FILENAME_PATTERN ${quoteString(`${c.sha256}.part`)}, OVERWRITE_OR_IGNORE)`,
    { source: c.source, path: c.path, sha: c.sha256, chain: c.chain_id },
  );
  const entries: ParquetFileEntry[] = [];
  for (const { day, n } of days.sort((a, b) => String(a.day).localeCompare(String(b.day)))) {
    const rel = eventsFilePath(c.source, day, c.sha256);
    const abs = path.join(dir, rel);
    const parts = readdirSync(path.dirname(abs)).filter((f) => f.startsWith(`${c.sha256}.part`));
    if (parts.length !== 1) throw new Error(`expected one Parquet file for ${c.path} on ${day ?? 'none'}, DuckDB wrote ${parts.length}`);
    renameSync(path.join(path.dirname(abs), parts[0]!), abs);
    entries.push({ path: rel, sha256: await fileSha256(abs), rows: n });
  }
  return entries;
}
