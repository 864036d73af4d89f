import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { quoteString } from '../db/sql.js';
import { fileSha256 } from '../ingest/shard.js';
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
export async function writeParquetSet(store: Store, caseFile: CaseFile, dir: string, shard: { index: number; count: number }): Promise<ParquetManifest> {
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
    reference: await writeReference(store, caseFile, dir),
  };
  writeFileSync(path.join(dir, manifestName(shard.index, shard.count)), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function writeChain(store: Store, dir: string, c: { chain_id: number; source: string; path: string; sha256: string }): Promise<ParquetFileEntry[]> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE parquet_chain AS
     SELECT $source AS source, e.role, $path AS file_path, $sha AS file_sha256, e.line,
       ${PARQUET_EVENT_COLUMNS.slice(5).map((col) => `e.${col}`).join(', ')},
       strftime(timezone('UTC', e.time), '%Y-%m-%d') AS day
     FROM events e JOIN case_segments s ON s.file_id = e.file_id
     WHERE s.chain_id = $chain AND e.line <= s.upto`,
    { source: c.source, path: c.path, sha: c.sha256, chain: c.chain_id },
  );
  const days = await store.all<{ day: string | null; n: number }>('SELECT day, count(*) AS n FROM parquet_chain GROUP BY day ORDER BY day NULLS LAST');
  const entries: ParquetFileEntry[] = [];
  for (const { day, n } of days) {
    const rel = eventsFilePath(c.source, day, c.sha256);
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    // COPY cannot bind its target: the path is quoted; the day is bound.
    await store.run(
      `COPY (SELECT ${PARQUET_EVENT_COLUMNS.join(', ')} FROM parquet_chain WHERE day IS NOT DISTINCT FROM $day ORDER BY line)
       TO ${quoteString(abs)} (FORMAT parquet)`,
      { day },
    );
    entries.push({ path: rel, sha256: await fileSha256(abs), rows: n });
  }
  await store.run('DROP TABLE parquet_chain');
  return entries;
}

async function writeReference(store: Store, caseFile: CaseFile, dir: string): Promise<ParquetManifest['reference']> {
  await loadReferenceData(store, caseFile);
  mkdirSync(path.join(dir, 'reference'), { recursive: true });
  const out = [];
  for (const table of REFERENCE_TABLES) {
    const abs = path.join(dir, referenceFilePath(table));
    await store.run(`COPY (SELECT * FROM ${table} ORDER BY ALL) TO ${quoteString(abs)} (FORMAT parquet)`);
    const { n } = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    out.push({ table, path: referenceFilePath(table), sha256: await fileSha256(abs), rows: n });
  }
  return out;
}
