import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { quoteIdent } from '../db/sql.js';
import { EXIT, UserError, isOutOfMemory } from '../util/user-error.js';

/**
 * The application's own data, loaded into temp tables the detectors join:
 * owners(document_id, owner_account[, category, country]), subjects(document_id, subject_id[, category, country]),
 * grants(account, document_id), authorized_accounts(account).
 * Values are trimmed; empty rows are ignored. A document may have several owners.
 */
export interface ReferenceCounts {
  readonly owners: number;
  readonly documents: number;
  readonly subjects: number;
  readonly grants: number;
}

const TABLES = {
  owners: { key: 'owners', columns: ['document_id', 'owner_account'], optional: ['category', 'country'] },
  subjects: { key: 'subjects', columns: ['document_id', 'subject_id'], optional: ['category', 'country'] },
  grants: { key: 'grants', columns: ['account', 'document_id'], optional: [] },
} as const;

async function loadCsv(store: Store, table: keyof typeof TABLES, file: string | undefined): Promise<void> {
  const spec = TABLES[table];
  const all = [...spec.columns, ...spec.optional];
  if (!file) {
    await store.run(`CREATE OR REPLACE TEMP TABLE ${table} (${all.map((c) => `${c} VARCHAR`).join(', ')})`);
    return;
  }
  const source = `read_csv($file, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = true, strict_mode = true)`;
  let header: string[];
  try {
    header = (await store.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`, { file })).map((r) => r.column_name);
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    throw new UserError({ what: `documents.${spec.key}: cannot read ${file} as CSV`, why: (e as Error).message.split('\n')[0], help: `write a CSV with the header ${spec.columns.join(',')}` });
  }
  const normalized = header.map((h) => h.trim().toLowerCase().replace(/^\ufeff/, ''));
  const missing = spec.columns.filter((c) => !normalized.includes(c));
  if (missing.length > 0) {
    throw new UserError({
      what: `documents.${spec.key}: ${file} lacks the column(s) ${missing.join(', ')}`,
      why: `its header is: ${header.join(',')}`,
      help: `the first line must name the columns: ${spec.columns.join(',')}${spec.optional.length ? ` (optional: ${spec.optional.join(', ')})` : ''}`,
    });
  }
  const pick = (c: string) => {
    const i = normalized.indexOf(c);
    return i >= 0 ? `nullif(trim(${quoteIdent(header[i]!)}), '')` : 'NULL::VARCHAR';
  };
  // Header names are matched trimmed and case-blind, then quoted as written.
  try {
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ${table} AS
       SELECT DISTINCT ${all.map((c) => `${pick(c)} AS ${c}`).join(', ')}
       FROM ${source}
       WHERE ${spec.columns.map((c) => `${pick(c)} IS NOT NULL`).join(' AND ')}`,
      { file },
    );
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    throw new UserError({ what: `documents.${spec.key}: ${file} is not a well-formed CSV`, why: (e as Error).message.split('\n')[0], help: 'fix the line DuckDB names above' }, EXIT.usage);
  }
}

export async function loadReferenceData(store: Store, caseFile: CaseFile): Promise<ReferenceCounts> {
  await loadCsv(store, 'owners', caseFile.documents.owners);
  await loadCsv(store, 'subjects', caseFile.documents.subjects);
  await loadCsv(store, 'grants', caseFile.documents.grants);
  await store.run('CREATE OR REPLACE TEMP TABLE authorized_accounts AS SELECT DISTINCT unnest($a::VARCHAR[]) AS account', { a: caseFile.authorized.accounts });
  await store.run(
    `CREATE OR REPLACE TEMP TABLE document_owners AS
     SELECT document_id, list(owner_account ORDER BY owner_account) AS owners, min(category) AS category, min(country) AS country
     FROM owners GROUP BY document_id`,
  );
  // A category (or country) given in the owners file is that of the document's people when the
  // subjects file has none for them: the Art. 33 report counts people by subjects then.
  for (const column of ['category', 'country']) {
    await store.run(
      `UPDATE subjects SET ${column} = (SELECT d.${column} FROM document_owners d WHERE d.document_id = subjects.document_id)
       WHERE ${column} IS NULL`,
    );
  }
  return store.one<ReferenceCounts & Record<string, number>>(
    `SELECT (SELECT count(*) FROM owners) AS owners, (SELECT count(*) FROM document_owners) AS documents,
            (SELECT count(*) FROM subjects) AS subjects, (SELECT count(*) FROM grants) AS grants`,
  );
}
