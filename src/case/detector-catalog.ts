import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean } from '../util/did-you-mean.js';
import { projectRoot } from '../util/project-root.js';
import { UserError, type UserMessage } from '../util/user-error.js';
import { COUNTS_AS, DETECTOR_LEVELS, DETECTOR_STATUSES, type CountsAs } from './vocabulary.js';

/**
 * The detector catalog: each `queries/*.sql` file's header parsed into a Detector, and the case
 * file's `detectors:` settings checked against it when the case loads. Running them is analyze's.
 */
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
