import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../db/store.js';
import { quoteString } from '../../db/sql.js';
import { fileSha256 } from '../../util/file-sha256.js';
import { REFERENCE_TABLES, referenceFilePath, type ParquetManifest } from '../../db/parquet-layout.js';

/** The reference tables loadReferenceData left on the connection, as Parquet beside the events. */
export async function writeReferenceTables(store: Store, dir: string): Promise<ParquetManifest['reference']> {
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
