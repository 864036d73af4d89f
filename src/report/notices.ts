import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import { quoteIdent, quoteString } from '../db/sql.js';
import type { Store } from '../db/store.js';
import { UserError } from '../util/user-error.js';
import { csvCellSql } from './evidence-pack.js';
import { NOTICE_SUMS, NOTICES_CSV, NOTICES_DIR } from './notice-files.js';
import { noticeHtml, noticeMarkdown, type NoticeData, type NoticeDocument, type NoticeTemplate } from './notice-template.js';

/**
 * `report --notices`: one Art. 34 notice per affected person, `notices/<name>.md` and `.html`,
 * `notices/notices.csv` for mail merge and `notices/SHA256SUMS` (`sha256sum -c` format) listing
 * every notice, which the manifest hashes. The people are one DuckDB table ordered by subject and
 * streamed a chunk at a time: JavaScript holds one chunk of people, never all of them.
 */

/** Columns of the subjects file that are facts about the link, not ways to reach the person. */
const NOT_CONTACT = new Set(['document_id', 'subject_id', 'category', 'country']);

/**
 * A file name for a subject id, in SQL. Letters, digits and `-` stay; every other character
 * becomes `_` and the hex of its UTF-8 bytes (`a/b` -> `a_2fb`, `..` -> `_2e_2e`): one id, one
 * name, never a path, a hidden file or a control character. `~` and a hash of the id are added
 * to names over 120 characters (cut to 80), to Windows device names, and to names that differ
 * only in letter case (a case-blind file system would make them one file); `~` appears nowhere
 * else, so these cannot meet another id's name.
 */
const FILE_NAME_SQL = `
  WITH encoded AS (
    SELECT subject_id, array_to_string(list_transform(string_split(subject_id, ''),
      c -> CASE WHEN regexp_matches(c, '^[A-Za-z0-9-]$') THEN c ELSE '_' || lower(hex(encode(c))) END), '') AS name
    FROM notice_people
  ), cut AS (
    SELECT subject_id, CASE WHEN length(name) > 120 THEN left(name, 80) || '~' || sha256(subject_id) ELSE name END AS name FROM encoded
  )
  SELECT subject_id,
    CASE WHEN count(*) OVER (PARTITION BY lower(name)) > 1 OR regexp_matches(upper(name), '^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$')
         THEN name || '~' || left(sha256(subject_id), 32) ELSE name END AS file_name
  FROM cut`;

/** One row per affected person (the subjects.csv rule: the subjects file, else the owner accounts), per document inside. */
const PEOPLE_SQL = (hasSubjects: boolean, zone: string) => `
WITH links AS (
  ${hasSubjects
    ? 'SELECT u.*, s.subject_id FROM unauthorized u JOIN subjects s ON s.document_id = u.document'
    : 'SELECT u.*, unnest(u.owners) AS subject_id FROM unauthorized u'}
), per_document AS (
  SELECT subject_id, document, count(DISTINCT event_id) AS accesses, min(time) AS first, max(time) AS last,
    list_sort(list(DISTINCT strftime(timezone(${quoteString(zone)}, time), '%Y-%m-%d'))) AS days
  FROM links GROUP BY subject_id, document
)
SELECT subject_id, count(*) AS documents, sum(accesses)::BIGINT AS accesses,
  strftime(timezone(${quoteString(zone)}, min(first)), '%Y-%m-%d') AS first_day,
  strftime(timezone(${quoteString(zone)}, max(last)), '%Y-%m-%d') AS last_day,
  list(struct_pack(document := document, accesses := accesses, days := days) ORDER BY document) AS docs
FROM per_document GROUP BY subject_id`;

interface Contacts {
  /** Header names as written, in file order. */
  readonly names: readonly string[];
}

/** The subjects file's other columns, one value per person (the least non-empty one), as `contact_<i>`. */
async function loadContacts(store: Store, file: string | undefined): Promise<Contacts> {
  if (file === undefined) return { names: [] };
  const source = `read_csv($file, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = true, strict_mode = true)`;
  const header = (await store.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`, { file })).map((r) => r.column_name);
  const norm = (h: string) => h.trim().toLowerCase().replace(/^\ufeff/, '');
  const subject = header.find((h) => norm(h) === 'subject_id')!;
  const names = header.filter((h) => !NOT_CONTACT.has(norm(h)));
  const cols = names.map((h, i) => `min(nullif(trim(${quoteIdent(h)}), '')) AS contact_${i}`);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE notice_contacts AS SELECT trim(${quoteIdent(subject)}) AS subject_id${cols.map((c) => `, ${c}`).join('')}
     FROM ${source} WHERE nullif(trim(${quoteIdent(subject)}), '') IS NOT NULL GROUP BY 1`,
    { file },
  );
  return { names };
}

/** `{{subject.<column>}}` must name a column the subjects file has: checked before any notice is written. */
function checkColumns(template: NoticeTemplate, contacts: Contacts, caseFile: CaseFile): void {
  const known = contacts.names.map((n) => n.trim().toLowerCase());
  const unknown = template.subjectColumns.filter((c) => !known.includes(c.toLowerCase()));
  if (unknown.length === 0) return;
  throw new UserError(unknown.map((c) => ({
    what: `breach.notice_template: {{subject.${c}}} names no column of the subjects file`,
    where: caseFile.breach.noticeTemplate ?? 'built-in template',
    why: caseFile.documents.subjects === undefined ? 'the case has no documents.subjects file' : `its other columns are: ${contacts.names.join(', ') || 'none'}`,
    help: 'add the column to documents.subjects, or take the placeholder out of the template',
  })));
}

const TODO = (key: string) => `[to be completed by the controller: breach.${key}]`;
const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The values every notice shares; `todo` lists the breach keys the notices had to leave open. */
function sharedValues(caseFile: CaseFile, generatedAt: Date): { values: Record<string, string>; todo: string[] } {
  const b = caseFile.breach;
  const todo = (['likely_consequences', 'measures', 'contact'] as const).filter((k) => b[k === 'likely_consequences' ? 'likelyConsequences' : k] === undefined);
  return {
    values: {
      case: caseFile.title,
      reference: b.reference ?? 'not yet assigned',
      phase: b.phase ?? 'initial',
      zone: caseFile.timezone ?? 'UTC',
      nature: b.nature ?? 'Documents held about you in our system were shown to people who were not entitled to see them.',
      likely_consequences: b.likelyConsequences ?? TODO('likely_consequences'),
      measures: b.measures ?? TODO('measures'),
      contact: b.contact ?? TODO('contact'),
      generated_at: generatedAt.toISOString().slice(0, 10),
    },
    todo: todo.map((k) => `breach.${k}`),
  };
}

function personData(row: Record<string, unknown>, shared: Record<string, string>, contacts: Contacts): NoticeData {
  const documents = (row.docs as { document: string; accesses: number | bigint; days: string[] }[]).map((d): NoticeDocument => ({ document: d.document, accesses: Number(d.accesses), days: d.days }));
  const docCount = Number(row.documents);
  const accesses = Number(row.accesses);
  const values: Record<string, string> = {
    ...shared,
    subject_id: String(row.subject_id),
    document_count: String(docCount),
    documents_phrase: plural(docCount, 'document', 'documents'),
    access_count: String(accesses),
    accesses_phrase: accesses === 1 ? 'once' : `${accesses.toLocaleString('en-US')} times`,
    first_access: String(row.first_day),
    last_access: String(row.last_day),
  };
  contacts.names.forEach((n, i) => {
    values[`subject.${n.trim()}`] = String(row[`contact_${i}`] ?? '');
  });
  // Placeholders are matched as written in the template; a column is found whatever its case.
  for (const [k, v] of Object.entries(values)) if (k.startsWith('subject.')) values[k.toLowerCase()] = v;
  return { values, documents };
}

async function writeOut(out: WriteStream, text: string, failed: Promise<never>): Promise<void> {
  if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
}

/** Writes `notices/` into the pack folder; returns how many people got a notice and which breach keys were left open. */
export async function writeNotices(store: Store, caseFile: CaseFile, template: NoticeTemplate, packDir: string, generatedAt: Date): Promise<{ notices: number; todo: string[] }> {
  const contacts = await loadContacts(store, caseFile.documents.subjects);
  checkColumns(template, contacts, caseFile);
  const lowerTemplate: NoticeTemplate = { ...template, lines: template.lines.map((l) => ({ ...l, parts: l.parts.map((p) => (typeof p === 'string' || !p.name.startsWith('subject.') ? p : { name: `subject.${p.name.slice(8).trim().toLowerCase()}` })) })) };
  const zone = caseFile.timezone ?? 'UTC';
  await store.run(`CREATE OR REPLACE TEMP TABLE notice_people AS ${PEOPLE_SQL(caseFile.documents.subjects !== undefined, zone)}`);
  await store.run(`CREATE OR REPLACE TEMP TABLE notice_files AS ${FILE_NAME_SQL}`);
  const contactCols = contacts.names.map((_, i) => `, c.contact_${i}`).join('');
  const join = contacts.names.length > 0 ? 'LEFT JOIN notice_contacts c USING (subject_id)' : '';
  const dir = path.join(packDir, NOTICES_DIR);
  mkdirSync(dir);
  const shared = sharedValues(caseFile, generatedAt);
  const sums = createWriteStream(path.join(dir, NOTICE_SUMS));
  const failed = new Promise<never>((_, reject) => sums.once('error', reject));
  failed.catch(() => undefined);
  let notices = 0;
  try {
    for await (const rows of store.rowChunks(`SELECT p.*, f.file_name${contactCols} FROM notice_people p JOIN notice_files f USING (subject_id) ${join} ORDER BY p.subject_id`)) {
      for (const row of rows) {
        const data = personData(row, shared.values, contacts);
        for (const [ext, text] of [['md', noticeMarkdown(lowerTemplate, data)], ['html', noticeHtml(lowerTemplate, data)]] as const) {
          const name = `${String(row.file_name)}.${ext}`;
          writeFileSync(path.join(dir, name), text);
          await writeOut(sums, `${createHash('sha256').update(text).digest('hex')} *${name}\n`, failed);
        }
        notices++;
      }
    }
  } finally {
    sums.end();
  }
  await Promise.race([finished(sums), failed]);
  await writeNoticesCsv(store, contacts, join, path.join(dir, NOTICES_CSV));
  return { notices, todo: shared.todo };
}

/** notices.csv: the mail-merge list, every text cell guarded against spreadsheet formulas as the pack's other CSVs. */
async function writeNoticesCsv(store: Store, contacts: Contacts, join: string, file: string): Promise<void> {
  const guard = (c: string) => `${csvCellSql(c)}`;
  const header = await Promise.all(contacts.names.map(async (n) => (await store.one<{ h: string }>(`SELECT ${csvCellSql('$n')} AS h`, { n: n.trim() })).h));
  const cols = [
    `${guard('p.subject_id')} AS subject_id`,
    `f.file_name || '.md' AS notice_md`, `f.file_name || '.html' AS notice_html`,
    'p.documents', 'p.accesses', 'p.first_day AS first_access', 'p.last_day AS last_access',
    ...contacts.names.map((_, i) => `${guard(`c.contact_${i}`)} AS ${quoteIdent(header[i]!)}`),
  ];
  await store.run(`COPY (SELECT ${cols.join(', ')} FROM notice_people p JOIN notice_files f USING (subject_id) ${join} ORDER BY p.subject_id)
    TO ${quoteString(file)} (FORMAT csv, HEADER true, DELIMITER ',')`);
}
