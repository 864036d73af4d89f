import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../db/store.js';
import { findingsByEvent } from '../analyze/findings-by-event.js';
import { quoteLines } from '../ingest/quoted-lines.js';
import { ecsRecordSql } from './ecs-record.js';
import { EXPORT_ORDER, exportRowsSql } from './export-rows.js';
import { ocsfRecordSql } from './ocsf-record.js';
import { timesketchRecordSql } from './timesketch-record.js';

export const EXPORT_FORMATS = ['timesketch', 'ecs', 'ocsf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const RECORDS: Record<ExportFormat, () => string> = { timesketch: timesketchRecordSql, ecs: ecsRecordSql, ocsf: ocsfRecordSql };

export interface ExportOptions {
  readonly format: ExportFormat;
  readonly out: string;
  readonly all: boolean;
  readonly hasSubjects: boolean;
  readonly caseTitle: string;
  readonly toolVersion: string;
}

/** The SELECT of one JSON text per line, in order; $case and $version bound. Null fields are left out (merge-patch semantics). */
export function exportSql(o: Pick<ExportOptions, 'format' | 'all' | 'hasSubjects'> & { readonly flagged: string }): string {
  return `SELECT json_merge_patch('{}', ${RECORDS[o.format]()})::VARCHAR AS record
FROM (${exportRowsSql(o)})
ORDER BY ${EXPORT_ORDER}`;
}

/**
 * DuckDB writes the lines itself (COPY, chunk by chunk, gzip when the name ends in .gz): nothing
 * proportional to the case is held in JavaScript. A record is compact JSON, so it holds no line
 * end and no tab, and the CSV writer with no quote character writes it as it is. The file is
 * written beside the target and renamed when complete, so a failed run leaves no half export.
 */
export async function writeExport(store: Store, o: ExportOptions): Promise<number> {
  const target = path.resolve(o.out);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  const compression = target.endsWith('.gz') ? 'gzip' : 'none';
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE export_params AS SELECT $case::VARCHAR AS c, $version::VARCHAR AS v`, { case: o.caseTitle, version: o.toolVersion });
    // The rows exportRowsSql writes: every document request with --all, else the counted ones.
    await quoteLines(store, `SELECT file_id, line FROM ${o.all ? 'document_requests' : 'unauthorized'}`);
    const select = exportSql({ ...o, flagged: await findingsByEvent(store) }).replaceAll('$case', '(SELECT c FROM export_params)').replaceAll('$version', '(SELECT v FROM export_params)');
    const written = await store.copyTo(select, partial, `FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t', COMPRESSION ${compression}`);
    renameSync(partial, target);
    return written;
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    await store.run('DROP TABLE IF EXISTS quoted_lines');
  }
}
