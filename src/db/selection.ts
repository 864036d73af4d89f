import { EXIT, UserError, type UserMessage } from '../util/user-error.js';
import type { Store } from './store.js';

/** What selection needs of a file the run read or recognised (ingest's FileReport has it). */
export interface HeldFile {
  readonly source: string;
  readonly path: string;
  readonly sha256: string;
  /** `abs`: the file's absolute path now, where a quoted line is read again (ingest/quoted-lines.ts). */
  readonly chain?: { readonly id: number; readonly upto: number; readonly bytes: number; readonly abs: string } | undefined;
}

/**
 * The evidence a run counts: exactly the files the case's sources match now, each standing for
 * the stored content it holds (a chain, up to the file's last line). The store is a cache shared
 * by every case that uses it; what it holds from other cases or earlier versions of a file never
 * reaches a figure. Leaves on the connection:
 * - `case_files`: one row per file read or recognised (path, absolute path, SHA-256, chain, lines it holds);
 * - `case_segments`: the stored segments those files stand for, with the last line counted;
 * - `case_chain_file`: per chain, the case file that holds all its counted lines (the provenance
 *   an evidence row names: a file the manifest lists, at a line that file has), and its source;
 * - view `case_events`: the store's events within that selection.
 */
export async function selectCaseFiles(store: Store, reports: readonly HeldFile[]): Promise<void> {
  const held = reports.filter((r) => r.chain !== undefined);
  selections.set(store, held.map((r) => `${r.chain!.id}:${r.chain!.upto}`).sort().join(' '));
  const col = (f: (r: HeldFile) => string | number) => held.map((r) => String(f(r)));
  await store.run(
    `CREATE OR REPLACE TEMP TABLE case_files AS
     SELECT * FROM (
       SELECT unnest($source) AS source, unnest($path) AS path, unnest($sha) AS sha256,
         unnest($chain)::INTEGER AS chain_id, unnest($upto)::BIGINT AS upto, unnest($bytes)::BIGINT AS bytes, unnest($abs) AS abs_path
     ) ORDER BY path, source`,
    {
      source: col((r) => r.source),
      path: col((r) => r.path),
      sha: col((r) => r.sha256),
      chain: col((r) => r.chain!.id),
      upto: col((r) => r.chain!.upto),
      bytes: col((r) => r.chain!.bytes),
      abs: col((r) => r.chain!.abs),
    },
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE case_segments AS
     SELECT f.file_id, f.chain_id, f.role, c.upto
     FROM files f JOIN (SELECT chain_id, max(upto) AS upto FROM case_files GROUP BY chain_id) c USING (chain_id)
     WHERE f.first_line <= c.upto OR f.file_id = f.chain_id`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE case_chain_file AS
     SELECT chain_id, arg_max(path, (upto, -row_number)) AS path, arg_max(sha256, (upto, -row_number)) AS sha256,
       arg_max(source, (upto, -row_number)) AS source, arg_max(abs_path, (upto, -row_number)) AS abs_path,
       arg_max(bytes, (upto, -row_number)) AS bytes
     FROM (SELECT *, row_number() OVER (ORDER BY path, source) AS row_number FROM case_files) GROUP BY chain_id`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP VIEW case_events AS
     SELECT e.* REPLACE (k.source AS source)
     FROM events e JOIN case_segments s ON s.file_id = e.file_id JOIN case_chain_file k ON k.chain_id = s.chain_id
     WHERE e.line <= s.upto`,
  );
}

/** Lines compared to tell that one content repeats another's: fewer only in shorter contents. */
const SIGNATURE_LINES = 8;

/**
 * Two contents of the same role that share lines otherwise than one beginning with the other (a
 * log pasted into another, an excerpt, a file edited after it was read, one file read by two
 * sources) would count those lines twice. A content's first lines found anywhere in another's are
 * the sign. `ingest` names them; counting refuses them (refuseOverlaps).
 */
export async function findOverlaps(store: Store): Promise<UserMessage[]> {
  const { chains } = await store.one<{ chains: number }>('SELECT count(DISTINCT chain_id) AS chains FROM case_segments');
  if (chains < 2) return [];
  const rows = await store.all<{ x: number; y: number; x0: number; y0: number; lines: number } & Record<string, number>>(
    `WITH sel AS (
       SELECT s.chain_id, s.role, l.line, l.h FROM lines l JOIN case_segments s ON s.file_id = l.file_id WHERE l.line <= s.upto
     ), sigs AS (
       SELECT chain_id AS x, any_value(role) AS role, min_by({'line': line, 'h': h}, line, ${SIGNATURE_LINES}) AS sig FROM sel GROUP BY chain_id
     ), hits AS (
       SELECT g.x, g.sig, sel.chain_id AS y, sel.line AS y0, g.sig[1].line AS x0
       FROM sel JOIN sigs g ON sel.h = g.sig[1].h AND sel.role = g.role AND sel.chain_id <> g.x
     ), wanted AS (
       SELECT x, y, x0, y0, len(sig) AS need, y0 + (e.line - x0) AS at, e.h FROM (SELECT *, unnest(sig) AS e FROM hits)
     ), matched AS (
       SELECT w.x, w.y, w.x0, w.y0, any_value(w.need) AS need, count(*) AS lines
       FROM wanted w JOIN sel ON sel.chain_id = w.y AND sel.line = w.at AND sel.h = w.h
       GROUP BY w.x, w.y, w.x0, w.y0
     )
     SELECT x, y, min(x0) AS x0, min(y0) AS y0, any_value(lines) AS lines FROM matched WHERE lines = need
     GROUP BY x, y ORDER BY x, y`,
  );
  if (rows.length === 0) return [];
  const names = new Map(
    (await store.all<{ chain_id: number; path: string }>('SELECT chain_id, path FROM case_chain_file')).map((r) => [r.chain_id, r.path] as const),
  );
  // A pair found both ways (two files with the same first lines) is named once.
  const seen = new Set<string>();
  const messages: UserMessage[] = [];
  for (const r of rows) {
    const key = [Math.min(r.x, r.y), Math.max(r.x, r.y)].join(':');
    if (seen.has(key)) continue;
    seen.add(key);
    const x = names.get(r.x) ?? `content ${r.x}`;
    const y = names.get(r.y) ?? `content ${r.y}`;
    messages.push({
      what: `${x} and ${y} hold the same lines: the first ${r.lines} line(s) of ${x} (from line ${r.x0}) stand again in ${y} from line ${r.y0}`,
      why: 'a line is counted once; these files overlap otherwise than one being the other grown, rotated or copied, so which lines are the same cannot be told line by line',
      help: 'leave one of the two out of the case\'s sources (keep the one that holds every line: a concatenation or the original log), then run again',
    });
  }
  return messages;
}

/** The selection last made on a store, and the overlaps found in it: a dashboard refresh that read nothing new looks again at nothing. */
const selections = new WeakMap<Store, string>();
const checked = new WeakMap<Store, { readonly selection: string; readonly messages: UserMessage[] }>();

/** Counting stops at overlapping contents (exit 2), naming each pair: a line is counted once or not at all. */
export async function refuseOverlaps(store: Store): Promise<void> {
  const selection = selections.get(store) ?? '';
  const known = checked.get(store);
  const messages = known && known.selection === selection ? known.messages : await findOverlaps(store);
  checked.set(store, { selection, messages });
  if (messages.length > 0) throw new UserError(messages, EXIT.usage);
}
