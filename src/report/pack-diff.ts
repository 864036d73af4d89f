import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quoteString } from '../db/sql.js';
import { Store } from '../db/store.js';
import type { Analysis } from '../analyze/analysis.js';
import type { Manifest } from './evidence-pack.js';

/**
 * What changed between two evidence packs (GDPR Art. 33(4): notification in phases). The set
 * differences run in DuckDB over the packs' evidence.parquet and subjects.csv, so a pack of a
 * million accesses is never loaded into JavaScript; only the capped lists are.
 *
 * An access is identified by its event time and raw log line, and identical lines at the same
 * second count by multiplicity (the n-th copy in one pack matches the n-th in the other): the
 * file name and SHA-256 an evidence row names change when a log is rotated or recompressed, the
 * line does not. Documents, client IPs and people (subject_id of subjects.csv) by their ids.
 */

export type PackFacts = Pick<Manifest, 'case' | 'generated_at' | 'figures' | 'inputs'> & Partial<Pick<Manifest, 'window' | 'coverage' | 'breach'>>;

export interface PackSide {
  /** The folder as given (for messages). */
  readonly label: string;
  readonly dir: string;
  readonly facts: PackFacts;
}

export interface DiffCounts {
  readonly accesses: number;
  readonly documents: number;
  readonly people: number;
  readonly ips: number;
}

export interface DiffAccess {
  readonly event_time: string;
  readonly client_ip: string | null;
  readonly account: string | null;
  readonly document: string;
  readonly file: string;
  readonly line: number;
}

export interface DiffLists {
  readonly accesses: readonly DiffAccess[];
  readonly documents: readonly string[];
  readonly people: readonly string[];
  readonly ips: readonly string[];
}

type Coverage = NonNullable<Manifest['coverage']>[number];

export interface PackDiff {
  readonly old: SideSummary;
  readonly new: SideSummary;
  readonly added: DiffCounts;
  readonly removed: DiffCounts;
  /** At most `maxRows` of each, in order (accesses by time, the rest by id). */
  readonly lists: { readonly added: DiffLists; readonly removed: DiffLists };
  readonly max_rows: number;
  readonly window: { readonly changed: boolean; readonly old: Manifest['window'] | null; readonly new: Manifest['window'] | null };
  readonly case_file: { readonly changed: boolean; readonly old_sha256: string; readonly new_sha256: string };
  /** Log and reference files by path and SHA-256: those only one pack read. */
  readonly inputs: { readonly added: readonly InputLine[]; readonly removed: readonly InputLine[] };
  /** Sources whose coverage differs (null: the source is not in that pack, or it did not record coverage). */
  readonly coverage: readonly { readonly source: string; readonly old: Coverage | null; readonly new: Coverage | null }[];
}

interface InputLine {
  readonly role: string;
  readonly path: string;
  readonly sha256: string;
}

export interface SideSummary {
  readonly pack: string;
  readonly generated_at: string;
  readonly phase: string;
  readonly reference: string | null;
  readonly figures: Manifest['figures'];
}

/** Each source's coverage as the manifest records it. */
export function coverageFacts(analysis: Analysis): NonNullable<Manifest['coverage']> {
  return analysis.coverage.sources.map((c) => ({ source: c.source, events_in_window: c.events_in_window, first_event: c.first_event, last_event: c.last_event, hours_share: c.hours_share }));
}

const unguarded = (c: string) => `CASE WHEN starts_with(${c}, '''') THEN ${c}[2:] ELSE ${c} END`;

async function loadSide(store: Store, name: 'old' | 'new', dir: string): Promise<void> {
  await store.run(`CREATE TEMP TABLE ${name}_ev AS
    SELECT event_time::VARCHAR AS event_time, client_ip, account, document, file, line, raw_line,
      row_number() OVER (PARTITION BY event_time, raw_line ORDER BY file, line) AS occurrence
    FROM read_parquet(${quoteString(path.join(dir, 'evidence.parquet'))})`);
  await store.run(`CREATE TEMP TABLE ${name}_people AS SELECT DISTINCT ${unguarded('subject_id')} AS subject_id
    FROM read_csv(${quoteString(path.join(dir, 'subjects.csv'))}, header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`);
}

/** The counts and capped lists of what `a` has and `b` has not. */
async function oneWay(store: Store, a: 'old' | 'new', b: 'old' | 'new', maxRows: number): Promise<{ counts: DiffCounts; lists: DiffLists }> {
  const accessesSql = `SELECT x.* FROM ${a}_ev x ANTI JOIN ${b}_ev y ON x.event_time = y.event_time AND x.raw_line = y.raw_line AND x.occurrence = y.occurrence`;
  const ids = (col: string, table: string) => `SELECT ${col} AS id FROM ${a}_${table} WHERE ${col} IS NOT NULL EXCEPT SELECT ${col} FROM ${b}_${table}`;
  const sets = { documents: ids('document', 'ev'), people: ids('subject_id', 'people'), ips: ids('client_ip', 'ev') };
  const counts = await store.one<DiffCounts & Record<string, number>>(
    `SELECT (SELECT count(*) FROM (${accessesSql})) AS accesses, ${Object.entries(sets).map(([k, sql]) => `(SELECT count(*) FROM (${sql})) AS ${k}`).join(', ')}`,
  );
  const accesses = await store.all<DiffAccess & Record<string, string | number | null>>(
    `SELECT event_time, client_ip, account, document, file, line FROM (${accessesSql}) ORDER BY event_time, file, line LIMIT ${maxRows}`,
  );
  const list = async (sql: string) => (await store.all<{ id: string }>(`SELECT id FROM (${sql}) ORDER BY id LIMIT ${maxRows}`)).map((r) => r.id);
  return { counts, lists: { accesses, documents: await list(sets.documents), people: await list(sets.people), ips: await list(sets.ips) } };
}

const summary = (s: PackSide): SideSummary => ({
  pack: s.label,
  generated_at: s.facts.generated_at,
  phase: s.facts.breach?.phase ?? 'initial',
  reference: s.facts.breach?.reference ?? null,
  figures: s.facts.figures,
});

const inputKey = (i: InputLine) => `${i.role}\u0000${i.path}\u0000${i.sha256}`;

function inputChanges(a: PackFacts, b: PackFacts): PackDiff['inputs'] {
  const logs = (f: PackFacts) => f.inputs.filter((i) => i.role !== 'case file').map((i) => ({ role: i.role, path: i.path, sha256: i.sha256 }));
  const oldKeys = new Set(logs(a).map(inputKey));
  const newKeys = new Set(logs(b).map(inputKey));
  return { added: logs(b).filter((i) => !oldKeys.has(inputKey(i))), removed: logs(a).filter((i) => !newKeys.has(inputKey(i))) };
}

function coverageChanges(a: PackFacts, b: PackFacts): PackDiff['coverage'] {
  const sources = [...new Set([...(a.coverage ?? []), ...(b.coverage ?? [])].map((c) => c.source))].sort();
  const find = (f: PackFacts, s: string) => f.coverage?.find((c) => c.source === s) ?? null;
  return sources.map((source) => ({ source, old: find(a, source), new: find(b, source) })).filter((c) => JSON.stringify(c.old) !== JSON.stringify(c.new));
}

/** Compares two packs whose evidence.parquet and subjects.csv are in their folders (verify them first). */
export async function diffPacks(oldSide: PackSide, newSide: PackSide, maxRows: number): Promise<PackDiff> {
  const store = await Store.memory();
  const spill = mkdtempSync(path.join(tmpdir(), 'breachscope-diff-'));
  try {
    await store.run(`SET temp_directory = ${quoteString(spill)}`);
    await loadSide(store, 'old', oldSide.dir);
    await loadSide(store, 'new', newSide.dir);
    const added = await oneWay(store, 'new', 'old', maxRows);
    const removed = await oneWay(store, 'old', 'new', maxRows);
    const [a, b] = [oldSide.facts, newSide.facts];
    return {
      old: summary(oldSide),
      new: summary(newSide),
      added: added.counts,
      removed: removed.counts,
      lists: { added: added.lists, removed: removed.lists },
      max_rows: maxRows,
      window: { changed: JSON.stringify(a.window ?? null) !== JSON.stringify(b.window ?? null), old: a.window ?? null, new: b.window ?? null },
      case_file: { changed: a.case.sha256 !== b.case.sha256, old_sha256: a.case.sha256, new_sha256: b.case.sha256 },
      inputs: inputChanges(a, b),
      coverage: coverageChanges(a, b),
    };
  } finally {
    store.close();
    rmSync(spill, { recursive: true, force: true });
  }
}

export const isEmptyDiff = (d: PackDiff): boolean =>
  [d.added, d.removed].every((c) => c.accesses + c.documents + c.people + c.ips === 0) && !d.window.changed && !d.case_file.changed && d.inputs.added.length + d.inputs.removed.length + d.coverage.length === 0;
