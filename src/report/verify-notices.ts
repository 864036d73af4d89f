import { closeSync, lstatSync, mkdtempSync, opendirSync, rmSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quoteString } from '../db/sql.js';
import { Store } from '../db/store.js';
import type { Manifest } from './evidence-pack.js';
import { NOTICE_NAME, NOTICE_OUTPUTS, NOTICE_SUMS, NOTICES_CSV, NOTICES_DIR } from './notice-files.js';
import { hashFd } from '../util/hash-file.js';
import { checkPackFile, kindOf, openRegular } from './pack-file.js';
import type { Problem } from './verify-pack.js';

/**
 * `verify` of a pack's `notices/`: the manifest hashes notices.csv and SHA256SUMS; SHA256SUMS
 * lists every notice with its SHA-256. Only names the folder itself holds are opened (lstat, never
 * a link or a FIFO), never a name read from a list; the folder's files and the list are compared
 * in DuckDB, so 100,000 notices are not held in JavaScript. There is one .md and one .html notice
 * per affected person, and notices.csv has a row per person.
 */

type Output = Manifest['outputs'][number];

export const isNoticeOutput = (p: string): boolean => (NOTICE_OUTPUTS as readonly string[]).includes(p);

const shown = (name: string) => `${NOTICES_DIR}/${name}`;

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Hashes the two files the manifest lists; returns the problems and whether each could be read. */
function checkListed(folder: string, listed: readonly Output[], problems: Problem[]): Set<string> {
  const readable = new Set<string>();
  for (const p of NOTICE_OUTPUTS) {
    const file = path.join(folder, p.slice(NOTICES_DIR.length + 1));
    const against = { output: listed.find((o) => o.path === p), unlisted: 'a pack with notices lists it in manifest.json' };
    if (checkPackFile(file, p, problems, against)) readable.add(p);
  }
  return readable;
}

/** Hashes every notice the folder holds into `notice_found(name, sha256, why)`, a batch at a time. */
async function walkFolder(store: Store, folder: string, problems: Problem[]): Promise<void> {
  await store.run('CREATE TEMP TABLE notice_found (name VARCHAR, sha256 VARCHAR, why VARCHAR)');
  const own = new Set(NOTICE_OUTPUTS.map((p) => p.slice(NOTICES_DIR.length + 1)));
  let batch: (string | null)[][] = [];
  const d = opendirSync(folder);
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) {
      if (own.has(e.name)) continue;
      if (!NOTICE_NAME.test(e.name)) {
        problems.push({ kind: 'extra', file: shown(e.name) });
        continue;
      }
      const file = path.join(folder, e.name);
      const stat = lstatSync(file);
      const opened = stat.isFile() ? openRegular(file, false) : { why: kindOf(stat) };
      if ('why' in opened) batch.push([e.name, null, opened.why]);
      else {
        try {
          batch.push([e.name, hashFd(opened.fd).sha256, null]);
        } finally {
          closeSync(opened.fd);
        }
      }
      if (batch.length >= 1000) {
        await store.appendText('notice_found', batch);
        batch = [];
      }
    }
  } finally {
    d.closeSync();
  }
  await store.appendText('notice_found', batch);
}

/** The folder against SHA256SUMS, and the counts against the manifest's affected_subjects. */
async function compare(store: Store, folder: string, readable: ReadonlySet<string>, people: number): Promise<Problem[]> {
  const problems: Problem[] = [];
  const sumsFile = path.join(folder, NOTICE_SUMS);
  if (readable.has(`${NOTICES_DIR}/${NOTICE_SUMS}`)) {
    await store.run(`CREATE TEMP TABLE notice_lines AS SELECT line, regexp_extract(line, '^([0-9a-f]{64}) \\*(.+)$', ['sha256', 'name']) AS m
      FROM read_csv(${quoteString(sumsFile)}, header = false, columns = {'line': 'VARCHAR'}, delim = '\t', quote = '', escape = '', auto_detect = false)`);
    const bad = await store.all<{ line: string }>("SELECT line FROM notice_lines WHERE m.name = '' LIMIT 5");
    for (const b of bad) problems.push({ kind: 'invalid', file: shown(NOTICE_SUMS), detail: `not a line of SHA-256 and file name: ${b.line.slice(0, 80)}` });
    const rows = await store.all<{ name: string; kind: Problem['kind']; detail: string | null }>(`
      WITH listed AS (SELECT m.name AS name, m.sha256 AS sha256 FROM notice_lines WHERE m.name <> '')
      SELECT name, 'foreign' AS kind, 'listed in SHA256SUMS, but not a notice file name; not opened' AS detail FROM listed WHERE NOT regexp_matches(name, ${quoteString(NOTICE_NAME.source)})
      UNION ALL SELECT name, 'invalid', 'listed twice in SHA256SUMS' FROM listed GROUP BY name HAVING count(*) > 1
      UNION ALL SELECT l.name, 'missing', NULL FROM listed l ANTI JOIN notice_found f ON f.name = l.name WHERE regexp_matches(l.name, ${quoteString(NOTICE_NAME.source)})
      UNION ALL SELECT f.name, 'unlisted', 'not in SHA256SUMS' FROM notice_found f ANTI JOIN listed l ON f.name = l.name
      UNION ALL SELECT f.name, 'not-file', f.why || ', not a regular file; not opened' FROM notice_found f WHERE f.why IS NOT NULL
      UNION ALL SELECT f.name, 'changed', NULL FROM notice_found f JOIN listed l ON f.name = l.name WHERE f.why IS NULL AND f.sha256 <> l.sha256
      ORDER BY 1, 2`);
    for (const r of rows) problems.push({ kind: r.kind, file: shown(r.name), ...(r.detail === null ? {} : { detail: r.detail }) });
    const counts = await store.one<{ md: number; html: number }>("SELECT count(*) FILTER (WHERE ends_with(m.name, '.md')) AS md, count(*) FILTER (WHERE ends_with(m.name, '.html')) AS html FROM notice_lines");
    for (const ext of ['md', 'html'] as const) {
      if (counts[ext] !== people) problems.push({ kind: 'differs', file: shown(NOTICE_SUMS), detail: `affected_subjects is ${people} in the manifest; SHA256SUMS lists ${counts[ext]} .${ext} notices` });
    }
  }
  if (readable.has(`${NOTICES_DIR}/${NOTICES_CSV}`)) {
    const csv = path.join(folder, NOTICES_CSV);
    const { n } = await store.one<{ n: number }>(`SELECT count(*) AS n FROM read_csv(${quoteString(csv)}, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`);
    if (n !== people) problems.push({ kind: 'differs', file: shown(NOTICES_CSV), detail: `affected_subjects is ${people} in the manifest; the file has ${n} rows` });
  }
  return problems;
}

/** Every check of `notices/`; nothing when the manifest lists no notices and the folder is absent. */
export async function checkNotices(dir: string, listed: readonly Output[], figures: Manifest['figures']): Promise<Problem[]> {
  const folder = path.join(dir, NOTICES_DIR);
  const stat = lstatOrUndefined(folder);
  if (listed.length === 0) return stat ? [{ kind: 'extra', file: NOTICES_DIR, detail: 'the manifest lists no notices' }] : [];
  if (!stat) return listed.map((o) => ({ kind: 'missing', file: o.path }));
  if (!stat.isDirectory()) return [{ kind: 'not-file', file: NOTICES_DIR, detail: `${kindOf(stat)}, not a folder; not opened` }];
  const problems: Problem[] = [];
  for (const p of NOTICE_OUTPUTS) if (listed.filter((o) => o.path === p).length > 1) problems.push({ kind: 'invalid', file: 'manifest.json', detail: `${p} is listed twice` });
  const readable = checkListed(folder, listed, problems);
  const store = await Store.memory();
  const spill = mkdtempSync(path.join(tmpdir(), 'breachscope-verify-'));
  try {
    await store.run(`SET temp_directory = ${quoteString(spill)}`);
    await walkFolder(store, folder, problems);
    problems.push(...(await compare(store, folder, readable, figures.affected_subjects)));
  } catch (e) {
    problems.push({ kind: 'differs', file: NOTICES_DIR, detail: `cannot be read: ${(e as Error).message.split('\n')[0]}` });
  } finally {
    store.close();
    rmSync(spill, { recursive: true, force: true });
  }
  return problems;
}
