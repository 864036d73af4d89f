import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import type { AtRiskChoice } from '../case/at-risk-choice.js';
import type { Store } from '../db/store.js';
import { quoteIdent } from '../db/sql.js';
import { EXIT, UserError, isOutOfMemory } from '../util/user-error.js';

/**
 * People at risk beside people confirmed affected (the ICO's Islington figures: 89,000 at risk,
 * 71 confirmed). Confirmed is what the logs show was taken (`unauthorized`); at risk is what the
 * flaw exposed, as `breach.at_risk` chooses. The confirmed documents are always at risk too, so
 * at risk is never below confirmed.
 */
export interface AtRisk {
  readonly documents: number;
  readonly people: number;
  /** The rule, as every renderer states it beside the figures. */
  readonly definition: string;
}

const DEFINITIONS = {
  owners: 'every document in the owners file, since the routes take any id',
  accessed: 'every owners-file document a request named inside the window, whoever sent it, whatever the response',
} as const;

/** Leaves the temp table `at_risk_documents(document_id)`; counts its documents and their people. */
export async function measureAtRisk(store: Store, caseFile: CaseFile): Promise<AtRisk> {
  const choice = caseFile.breach.atRisk;
  await store.run(`CREATE OR REPLACE TEMP TABLE at_risk_documents AS
    SELECT DISTINCT document_id FROM (${await chosenSql(store, choice)} UNION ALL SELECT document FROM unauthorized)
    WHERE document_id IS NOT NULL`);
  const people = caseFile.documents.subjects !== undefined
    ? 'SELECT count(DISTINCT subject_id) FROM subjects WHERE document_id IN (SELECT document_id FROM at_risk_documents)'
    : 'SELECT count(DISTINCT owner_account) FROM owners WHERE document_id IN (SELECT document_id FROM at_risk_documents)';
  const r = await store.one<{ documents: number; people: number }>(`SELECT (SELECT count(*) FROM at_risk_documents) AS documents, (${people}) AS people`);
  return { documents: r.documents, people: r.people, definition: definition(choice, caseFile) };
}

function definition(choice: AtRiskChoice, caseFile: CaseFile): string {
  const people = caseFile.documents.subjects !== undefined ? 'people: their subjects' : 'people: their owner accounts';
  if (choice.kind === 'file') return `the documents listed in ${path.relative(caseFile.dir, choice.path)}, and the confirmed ones; ${people}`;
  const none = caseFile.documents.owners === undefined ? ' (the case has no owners file)' : '';
  return `${DEFINITIONS[choice.kind]}${none}; confirmed ones included; ${people}`;
}

async function chosenSql(store: Store, choice: AtRiskChoice): Promise<string> {
  if (choice.kind === 'owners') return 'SELECT document_id FROM document_owners';
  if (choice.kind === 'accessed') {
    return 'SELECT document AS document_id FROM document_requests WHERE in_window AND known_document';
  }
  await loadListedDocuments(store, choice.path);
  return 'SELECT document_id FROM at_risk_listed';
}

const SOURCE = `read_csv($file, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = true, strict_mode = true)`;

/** The CSV `breach.at_risk` names: a header with `document_id` (case-blind), other columns ignored. */
async function loadListedDocuments(store: Store, file: string): Promise<void> {
  const fix = 'write a CSV whose first line names a document_id column, then one id per line';
  let header: string[];
  try {
    header = (await store.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${SOURCE}`, { file })).map((r) => r.column_name);
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    throw new UserError({ what: `breach.at_risk: cannot read ${file} as CSV`, why: (e as Error).message.split('\n')[0], help: fix });
  }
  const i = header.findIndex((h) => h.trim().toLowerCase().replace(/^\ufeff/, '') === 'document_id');
  if (i < 0) throw new UserError({ what: `breach.at_risk: ${file} has no document_id column`, why: `its header is: ${header.join(',')}`, help: fix });
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE at_risk_listed AS SELECT DISTINCT nullif(trim(${quoteIdent(header[i]!)}), '') AS document_id FROM ${SOURCE}`, { file });
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    throw new UserError({ what: `breach.at_risk: ${file} is not a well-formed CSV`, why: (e as Error).message.split('\n')[0], help: 'fix the line DuckDB names above' }, EXIT.usage);
  }
}
