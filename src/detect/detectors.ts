import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COUNTS_AS, DETECTOR_LEVELS, DETECTOR_STATUSES, type CountsAs } from '../case/vocabulary.js';
import type { Store } from '../db/store.js';
import { quoteIdent } from '../db/sql.js';
import { didYouMean } from '../util/did-you-mean.js';
import { projectRoot } from '../util/project-root.js';
import { stage } from '../util/trace.js';
import { UserError, type UserMessage } from '../util/user-error.js';

/** The leading columns every detector returns, in this order (STYLE.md). */
export const LEADING_COLUMNS = ['event_id', 'document', 'actor', 'client_ip', 'event_time', 'reason'] as const;

export interface DetectorParam {
  readonly name: string;
  readonly default: number | string;
  readonly description: string;
  /** Declared in the header as `name (integer 1..525600) = default`; without it, from the default. */
  readonly type: 'integer' | 'number' | 'text';
  readonly min: number | undefined;
  readonly max: number | undefined;
}

export interface Detector {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly level: (typeof DETECTOR_LEVELS)[number];
  readonly status: (typeof DETECTOR_STATUSES)[number];
  readonly countsAs: CountsAs;
  readonly tags: readonly string[];
  readonly falsepositive: string;
  readonly params: readonly DetectorParam[];
  readonly sql: string;
}

/** A detector file that could not be loaded: reported with its name and line, the others still run. */
export interface BrokenDetector {
  readonly id: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly error: string;
}

export type DetectorRun =
  | { readonly ok: true; readonly detector: Detector; readonly findings: number; readonly params: Readonly<Record<string, number | string>> }
  | { readonly ok: false; readonly id: string; readonly file: string; readonly line: number | undefined; readonly error: string; readonly detector?: Detector };

export function queriesDir(): string {
  return process.env.BREACHSCOPE_QUERIES ?? path.join(projectRoot(), 'queries');
}

const HEADER = /^--\s*([a-z_]+):\s?(.*)$/;

/** Parses every `queries/*.sql` header; files with a bad header come back as BrokenDetector. */
export function loadDetectors(dir = queriesDir()): { detectors: Detector[]; broken: BrokenDetector[] } {
  const detectors: Detector[] = [];
  const broken: BrokenDetector[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const file = path.join(dir, name);
    const id = name.slice(0, -4);
    try {
      detectors.push(parseDetector(id, file, readFileSync(file, 'utf8')));
    } catch (e) {
      const { line, message } = e as { line?: number; message: string };
      broken.push({ id, file, line, error: message });
    }
  }
  return { detectors, broken };
}

class HeaderError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function parseDetector(id: string, file: string, text: string): Detector {
  const meta = new Map<string, { value: string; line: number }>();
  const params: DetectorParam[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = HEADER.exec(lines[i]!.trim());
    if (!m) {
      if (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('--')) continue;
      break;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'param') params.push(parseParam(value, i + 1));
    else meta.set(key, { value: value.trim(), line: i + 1 });
  }
  const need = (key: string): string => {
    const v = meta.get(key)?.value;
    if (!v) throw new HeaderError(`missing header line '-- ${key}: ...'`, 1);
    return v;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const v = need(key);
    if (!(allowed as readonly string[]).includes(v)) throw new HeaderError(`${key} '${v}' is not one of ${allowed.join(', ')}`, meta.get(key)!.line);
    return v as T;
  };
  const known = ['title', 'description', 'level', 'status', 'counts_as', 'tags', 'falsepositive'];
  for (const [key, { line }] of meta) {
    if (!known.includes(key)) {
      const guess = didYouMean(key, [...known, 'param']);
      throw new HeaderError(`unknown header key '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}`, line);
    }
  }
  return {
    id,
    file,
    title: need('title'),
    description: need('description'),
    level: oneOf('level', DETECTOR_LEVELS),
    status: oneOf('status', DETECTOR_STATUSES),
    countsAs: oneOf('counts_as', COUNTS_AS),
    tags: (meta.get('tags')?.value ?? '').replace(/^\[|\]$/g, '').split(',').map((t) => t.trim()).filter(Boolean),
    falsepositive: meta.get('falsepositive')?.value ?? '',
    params,
    sql: text,
  };
}

const NUMBER = '-?\\d+(?:\\.\\d+)?';
const PARAM = new RegExp(`^([a-z_][a-z0-9_]*)\\s*(?:\\(\\s*(integer|number|text)(?:\\s+(${NUMBER})?\\.\\.(${NUMBER})?)?\\s*\\))?\\s*=\\s*([^|]+?)\\s*(?:\\|\\s*(.*))?$`);

/** `name (integer 1..525600) = default | description`; the range may leave either end open (`1..`). */
function parseParam(value: string, line: number): DetectorParam {
  const p = PARAM.exec(value.trim());
  if (!p) throw new HeaderError(`param line must read 'name (integer MIN..MAX) = default | description', got '${value}'`, line);
  const [, name, declared, min, max, raw, description] = p as unknown as [string, string, string | undefined, string | undefined, string | undefined, string, string | undefined];
  const numeric = /^-?\d+(\.\d+)?$/.test(raw);
  const type = (declared ?? (numeric ? (Number.isInteger(Number(raw)) ? 'integer' : 'number') : 'text')) as DetectorParam['type'];
  const param: DetectorParam = { name, default: numeric && type !== 'text' ? Number(raw) : raw, description: description ?? '', type, min: min === undefined ? undefined : Number(min), max: max === undefined ? undefined : Number(max) };
  const wrong = paramValueProblem(param, param.default);
  if (wrong) throw new HeaderError(`param ${name}: the default ${wrong}`, line);
  return param;
}

function rangeText(p: DetectorParam): string {
  if (p.min !== undefined && p.max !== undefined) return `from ${p.min} to ${p.max}`;
  if (p.min !== undefined) return `of at least ${p.min}`;
  if (p.max !== undefined) return `of at most ${p.max}`;
  return '';
}

/** Why `value` cannot be this parameter's value, or undefined when it can. */
export function paramValueProblem(p: DetectorParam, value: unknown): string | undefined {
  const want = p.type === 'integer' ? `a whole number ${rangeText(p)}`.trim() : p.type === 'number' ? `a number ${rangeText(p)}`.trim() : 'a text';
  if (p.type === 'text') return typeof value === 'string' ? undefined : `must be ${want}, got ${describe(value)}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be ${want}, got ${describe(value)}`;
  if (p.type === 'integer' && !Number.isSafeInteger(value)) return `must be ${want}, got ${describe(value)}`;
  if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) return `must be ${want}, got ${describe(value)}`;
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan (not a number)' : Number.isFinite(v) ? String(v) : `${v < 0 ? '-' : ''}.inf (infinity)`;
  return JSON.stringify(v) ?? String(v);
}

/** A problem with a case file's `detectors:` entry, by key path under `detectors`. */
export interface SettingProblem {
  readonly path: readonly string[];
  readonly what: string;
  readonly help?: string;
}

/** Case-file `detectors:` entries must name real detectors and parameters, with values in their declared range. */
export function detectorSettingProblems(settings: Readonly<Record<string, unknown>>, detectors: readonly Detector[]): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const ids = detectors.map((d) => d.id);
  for (const [id, values] of Object.entries(settings)) {
    const d = detectors.find((x) => x.id === id);
    if (!d) {
      const guess = didYouMean(id, ids);
      problems.push({ path: [id], what: 'no such detector', help: guess ? `did you mean '${guess}'?` : `detectors: ${ids.join(', ')}` });
      continue;
    }
    if (values === null || typeof values !== 'object' || Array.isArray(values)) continue;
    for (const [name, value] of Object.entries(values)) {
      const p = d.params.find((x) => x.name === name);
      if (!p) {
        const guess = didYouMean(name, d.params.map((x) => x.name));
        problems.push({ path: [id, name], what: 'no such parameter', help: guess ? `did you mean '${guess}'?` : `parameters: ${d.params.map((x) => x.name).join(', ') || '(none)'}` });
        continue;
      }
      const wrong = paramValueProblem(p, value);
      if (wrong) problems.push({ path: [id, name], what: wrong, help: `${p.name}: ${p.description || 'see breachscope detectors'} (default ${p.default})` });
    }
  }
  return problems;
}

/** Case-file `detectors:` entries must name real detectors and parameters (the case file checks this when it loads, with lines). */
export function checkDetectorSettings(settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>, detectors: readonly Detector[], casePath: string): void {
  const problems: UserMessage[] = detectorSettingProblems(settings, detectors).map((p) => ({ what: `detectors.${p.path.join('.')}: ${p.what}`, where: casePath, ...(p.help ? { help: p.help } : {}) }));
  if (problems.length > 0) throw new UserError(problems);
}

/**
 * Parses every loaded detector without running it (DuckDB's statement extraction), so `detectors`
 * reports SQL syntax errors of all files at once, with their line, before any case is analysed.
 */
export async function parseCheck(store: Store, detectors: readonly Detector[]): Promise<BrokenDetector[]> {
  const broken: BrokenDetector[] = [];
  for (const d of detectors) {
    try {
      const statements = await store.connection.extractStatements(d.sql);
      if (statements.count !== 1) broken.push({ id: d.id, file: d.file, line: undefined, error: `holds ${statements.count} statements; a detector is one SELECT` });
    } catch (e) {
      const message = (e as Error).message;
      broken.push({ id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]! });
    }
  }
  return broken;
}

function errorLine(message: string, sql: string): number | undefined {
  const m = /LINE (\d+):/.exec(message);
  if (m) return Number(m[1]);
  void sql;
  return undefined;
}

/**
 * Runs every detector against `document_requests` and collects the leading columns of their rows
 * in `findings`. A detector that fails to prepare or run becomes an error entry; the rest go on.
 */
export async function runDetectors(
  store: Store,
  settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  { detectors, broken }: ReturnType<typeof loadDetectors> = loadDetectors(),
): Promise<DetectorRun[]> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE findings (detector VARCHAR, counts_as VARCHAR, level VARCHAR, event_id BIGINT, document VARCHAR,
       actor VARCHAR, client_ip VARCHAR, event_time TIMESTAMPTZ, reason VARCHAR)`,
  );
  const runs: DetectorRun[] = broken.map((b) => ({ ok: false, ...b }));
  for (const d of detectors) {
    runs.push(await runOne(store, d, settings[d.id] ?? {}));
    await stage('detector', d.id);
  }
  return runs.sort((a, b) => (a.ok ? a.detector.id : a.id).localeCompare(b.ok ? b.detector.id : b.id));
}

async function runOne(store: Store, d: Detector, overrides: Readonly<Record<string, unknown>>): Promise<DetectorRun> {
  const values: Record<string, number | string> = {};
  for (const p of d.params) values[p.name] = (overrides[p.name] as number | string | undefined) ?? p.default;
  let prepared;
  try {
    prepared = await store.connection.prepare(d.sql);
  } catch (e) {
    const message = (e as Error).message;
    return { ok: false, id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]!, detector: d };
  }
  const used: Record<string, number | string> = {};
  for (let i = 1; i <= prepared.parameterCount; i++) {
    const name = prepared.parameterName(i);
    if (!(name in values)) return { ok: false, id: d.id, file: d.file, line: undefined, error: `uses $${name}, which no '-- param:' header declares`, detector: d };
    used[name] = values[name]!;
  }
  const table = quoteIdent(`detector_${d.id}`);
  try {
    await store.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${d.sql.replace(/;\s*$/, '')}`, used);
    // Output columns are known only once parameters are bound, so they are checked on the result.
    const lead = (await store.all<{ column_name: string }>(`DESCRIBE ${table}`)).map((c) => c.column_name).slice(0, LEADING_COLUMNS.length);
    if (lead.join(',') !== LEADING_COLUMNS.join(',')) {
      return { ok: false, id: d.id, file: d.file, line: undefined, error: `the first columns must be ${LEADING_COLUMNS.join(', ')}; found ${lead.join(', ')}`, detector: d };
    }
    await store.run(
      `INSERT INTO findings SELECT $id, $counts_as, $level, event_id, document, actor, client_ip, event_time, reason FROM ${table}`,
      { id: d.id, counts_as: d.countsAs, level: d.level },
    );
    const { n } = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
    return { ok: true, detector: d, findings: n, params: values };
  } catch (e) {
    const message = (e as Error).message;
    return { ok: false, id: d.id, file: d.file, line: errorLine(message, d.sql), error: message.split('\n')[0]!, detector: d };
  }
}
