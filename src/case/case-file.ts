import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { detectorSettingProblems, loadDetectors, type Detector } from './detector-catalog.js';
import type { Cidr } from './ip.js';
import { compileRoute, RouteError } from './routes.js';
import { caseSchema, KNOWN_KEYS, parseIsoTime, type BreachPhase } from './case-schema.js';
import { buildCaseFile } from './case-build.js';
import type { FormatDefinition } from '../formats/defined.js';
import { didYouMean } from '../util/did-you-mean.js';
import { EXIT, UserError } from '../util/user-error.js';
import { checkTimeZone } from './time-zone.js';
import { atRiskProblems, type AtRiskChoice } from './at-risk-choice.js';
import { enrichmentFileProblems, type Enrichment } from './enrichment-spec.js';
import type { EventField, FormatName, SourceRole } from './vocabulary.js';

export interface SourceSpec {
  readonly name: string;
  /** Globs as written, relative to the case file. */
  readonly paths: readonly string[];
  /** A reader's name, or the server's own format definition (`format: {nginx: '...'}`). */
  readonly format: FormatName | FormatDefinition;
  readonly timezone: string | undefined;
  readonly role: SourceRole;
  readonly fields: Readonly<Partial<Record<EventField, string>>>;
}

export interface CaseFile {
  /** Absolute path of the YAML file. */
  readonly path: string;
  readonly dir: string;
  readonly sha256: string;
  readonly text: string;
  /** `case:`, else the case file's name without its extension. */
  readonly title: string;
  /** Display zone (IANA, canonical); storage is UTC. */
  readonly timezone: string | undefined;
  readonly window: { readonly from: Date | undefined; readonly to: Date | undefined };
  readonly sources: readonly SourceSpec[];
  readonly network: { readonly trustedProxies: readonly Cidr[] };
  readonly documents: {
    readonly routes: readonly string[];
    readonly owners: string | undefined;
    readonly subjects: string | undefined;
    readonly grants: string | undefined;
  };
  /** `accountsFile`: the file `authorized.accounts` names (absolute), when it names one. */
  readonly authorized: { readonly accounts: readonly string[]; readonly accountsFile: string | undefined; readonly networks: readonly Cidr[] };
  readonly detectors: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** When the controller became aware of the breach (GDPR Art. 33: 72 hours from here). */
  readonly awareAt: Date | undefined;
  /** GDPR Art. 33(3) facts only the controller can state; the report shows what is missing. */
  readonly breach: {
    readonly nature: string | undefined;
    readonly likelyConsequences: string | undefined;
    readonly measures: string | undefined;
    readonly contact: string | undefined;
    /** `breach.at_risk`: which documents the flaw exposed (at-risk.ts in analyze says how each is counted). */
    readonly atRisk: AtRiskChoice;
    /** `notice_template` (absolute): the Art. 34 notice template replacing the built-in one. */
    readonly noticeTemplate: string | undefined;
    /** GDPR Art. 33(4): a first report, or a follow-up to one (`report --previous`). */
    readonly phase: BreachPhase | undefined;
    /** The regulator's case reference. */
    readonly reference: string | undefined;
  };
  /** `exclude.crawlers`: accesses with a known crawler's user agent are left out of the figures (they are still totalled apart). */
  readonly exclude: { readonly crawlers: boolean };
  /** Offline IP context the responder brings (absolute paths): iptoasn TSVs and named address lists. */
  readonly enrichment: Enrichment;
  /** Accepted with a warning (an old time zone name...); the commands print them as `warning:` lines. */
  readonly warnings: readonly string[];
  /** `file:line (key path)` of a key, for messages about the case file found after it loaded. */
  readonly locate: (keyPath: readonly (string | number)[]) => string;
}

export { BREACH_PHASES, isTimeZone, parseIsoTime, type BreachPhase } from './case-schema.js';

type KeyPath = readonly PropertyKey[];

function keyPathText(p: KeyPath): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function knownKeysAt(p: KeyPath): readonly string[] {
  if (p.length === 0) return KNOWN_KEYS['']!;
  const last = p[p.length - 1];
  if (typeof last === 'number' && p[0] === 'sources') return KNOWN_KEYS.source!;
  if (typeof last === 'number' && p[0] === 'enrichment') return KNOWN_KEYS.list!;
  return KNOWN_KEYS[String(last)] ?? [];
}

/** First line of a node, when it has a range. */
function lineAt(node: unknown, counter: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}

/**
 * The line of a key path: of the key itself for a mapping entry (a block value starts on the line
 * after its key), of the item for a list entry; as deep as the path exists in the document.
 */
function lineOf(doc: Document, counter: LineCounter, p: KeyPath): number | undefined {
  let node: unknown = doc.contents;
  let line = lineAt(node, counter);
  for (const step of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(step));
      if (!pair) break;
      line = lineAt(pair.key, counter) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      node = node.items[step];
      line = lineAt(node, counter) ?? line;
    } else break;
  }
  return line;
}

function describeIssue(issue: z.core.$ZodIssue): { path: KeyPath; what: string; help?: string }[] {
  const p = issue.path as KeyPath;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(p);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        return {
          path: [...p, key],
          what: `unknown key '${key}'`,
          help: guess ? `did you mean '${guess}'?` : `allowed keys here: ${known.join(', ')}`,
        };
      });
    }
    case 'invalid_type':
      return [{ path: p, what: issue.input === undefined ? 'missing required key' : `expected ${issue.expected}, got ${describeValue(issue.input)}` }];
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof issue.input === 'string' ? didYouMean(issue.input, values) : undefined;
      return [{ path: p, what: `'${String(issue.input)}' is not allowed`, help: `${guess ? `did you mean '${guess}'? ` : ''}use one of: ${values.join(', ')}` }];
    }
    case 'invalid_union':
      if (issue.input === undefined) return [{ path: p, what: `missing required key (${unionExpectation(p)})` }];
      return [{ path: p, what: `expected ${unionExpectation(p)}, got ${describeValue(issue.input)}` }];
    case 'too_small':
      return [{ path: p, what: issue.origin === 'array' ? 'must not be empty' : 'must not be empty' }];
    default:
      return [{ path: p, what: issue.message }];
  }
}

function unionExpectation(p: KeyPath): string {
  const last = String(p[p.length - 1] ?? '');
  if (last === 'path') return 'a glob or a list of globs';
  if (last === 'accounts') return 'a list of accounts or a file path';
  if (last === 'from' || last === 'to' || last === 'aware_at') return 'an ISO 8601 time';
  return 'a value of another type';
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Items of a one-line flow list, split at commas outside quotes and brackets (`{1,30}` stays whole). */
export function splitFlowItems(items: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let from = 0;
  for (let i = 0; i < items.length; i++) {
    const c = items[i]!;
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && items[i + 1] === "'") i++;
        else quote = undefined;
      }
    } else if ((c === "'" || c === '"') && items.slice(from, i).trim() === '') quote = c;
    else if (c === '\\') i++;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(items.slice(from, i));
      from = i + 1;
    }
  }
  if (quote || depth !== 0) return undefined;
  out.push(items.slice(from));
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

const FLOW_LIST = /^(\s*(?:-\s+)?([A-Za-z_][\w.-]*):\s*)\[(.*)\](\s*(?:#.*)?)$/gm;

/**
 * `routes: [/tickets/{doc}/image, /evidence.aspx?pcn={doc}]`, as the documentation writes it, is
 * not YAML: inside a flow list `{` opens a mapping. Unquoted items of a one-line `routes:` flow
 * list are quoted before parsing (on the same line, so line numbers stay true). So are those of
 * any other key's one-line flow list with a `{` inside an item (never valid YAML), so that a
 * misspelt `route: [/d/{doc}]` is reported as an unknown key; a list of flow mappings
 * (`sources: [{name: web}]`) is left as it is.
 */
export function quoteFlowRoutes(text: string): string {
  return text.replace(FLOW_LIST, (all, head: string, key: string, items: string, tail: string) => {
    const parts = splitFlowItems(items);
    if (!parts) return all;
    const plain = (p: string) => !/^['"[{]/.test(p);
    if (key !== 'routes' && !parts.some((p) => plain(p) && /[{}]/.test(p))) return all;
    const quoted = parts.map((p) => (plain(p) ? `'${p.replaceAll("'", "''")}'` : p));
    return `${head}[${quoted.join(', ')}]${tail}`;
  });
}

/** Where strings are expected, a plain scalar YAML reads as a number or boolean keeps its text as written. */
const TEXT_PATHS: readonly (readonly (string | number | '*')[])[] = [['case'], ['authorized', 'accounts', '*'], ['sources', '*', 'name'], ['breach', '*'], ['enrichment', 'lists', '*', 'name']];

/** `authorized.accounts: [00123, 1e3, 0x1F]` are accounts 00123, 1e3 and 0x1F, not 123, 1000 and 31. */
function keepSourceText(doc: Document): void {
  const visit = (node: unknown, rest: readonly (string | number | '*')[]): void => {
    if (rest.length === 0) {
      if (isScalar(node) && node.value !== null && typeof node.value !== 'string' && typeof node.source === 'string') node.value = node.source;
      return;
    }
    const [step, ...tail] = rest;
    if (isMap(node)) for (const pair of node.items) if (step === '*' || (isScalar(pair.key) && pair.key.value === step)) visit(pair.value, tail);
    if (isSeq(node) && step === '*') for (const item of node.items) visit(item, tail);
  };
  for (const p of TEXT_PATHS) visit(doc.contents, p);
}

interface Problem {
  readonly path: KeyPath;
  readonly what: string;
  readonly help?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What the schema cannot say: time zones, routes, files, detector parameters, window order.
 * Runs on the document as read, so that its problems are reported with the schema's, all at once.
 */
function semanticProblems(raw: Record<string, unknown>, dir: string, detectors: readonly Detector[], warn: (p: KeyPath, message: string) => void): { problems: Problem[]; zones: Map<string, string> } {
  const problems: Problem[] = [];
  const zones = new Map<string, string>();
  const zone = (value: unknown, p: KeyPath) => {
    if (typeof value !== 'string') return;
    const check = checkTimeZone(value);
    if (!check.ok) problems.push({ path: p, what: check.message, help: check.help });
    else {
      zones.set(value, check.zone);
      if (check.warning) warn(p, check.warning);
    }
  };
  zone(raw.timezone, ['timezone']);
  const sources = Array.isArray(raw.sources) ? raw.sources : [];
  const names = new Set<unknown>();
  sources.forEach((s, i) => {
    if (!isRecord(s)) return;
    zone(s.timezone, ['sources', i, 'timezone']);
    if (typeof s.name === 'string' && names.has(s.name)) problems.push({ path: ['sources', i, 'name'], what: `'${s.name}' is used twice`, help: 'give every source its own name' });
    names.add(s.name);
  });

  const documents = isRecord(raw.documents) ? raw.documents : {};
  const routes = typeof documents.routes === 'string' ? [documents.routes] : Array.isArray(documents.routes) ? documents.routes : [];
  routes.forEach((r, i) => {
    if (typeof r !== 'string' || r === '') return;
    try {
      compileRoute(r);
    } catch (e) {
      if (!(e instanceof RouteError)) throw e;
      problems.push({ path: typeof documents.routes === 'string' ? ['documents', 'routes'] : ['documents', 'routes', i], what: e.message, help: 'see the counting rules in README.md (Document access)' });
    }
  });
  for (const key of ['owners', 'subjects', 'grants'] as const) {
    const value = documents[key];
    if (typeof value === 'string' && value !== '' && !existsSync(path.resolve(dir, value))) problems.push({ path: ['documents', key], what: `file not found: ${value}`, help: `paths are relative to the case file (${dir})` });
  }
  if ((documents.subjects !== undefined || documents.grants !== undefined) && documents.owners === undefined) {
    problems.push({ path: ['documents'], what: 'subjects or grants given without owners', help: 'add documents.owners: the CSV of document_id, owner_account' });
  }
  const authorized = isRecord(raw.authorized) ? raw.authorized : {};
  if (typeof authorized.accounts === 'string' && authorized.accounts !== '' && !existsSync(path.resolve(dir, authorized.accounts))) {
    problems.push({ path: ['authorized', 'accounts'], what: `file not found: ${authorized.accounts}`, help: 'give a list of accounts or the path of a file with one account per line' });
  }
  problems.push(...atRiskProblems(isRecord(raw.breach) ? raw.breach.at_risk : undefined, dir));
  problems.push(...enrichmentFileProblems(raw.enrichment, dir).map((p) => ({ path: p.path, what: p.what, help: p.help })));
  const template = isRecord(raw.breach) ? raw.breach.notice_template : undefined;
  if (typeof template === 'string' && template !== '' && !existsSync(path.resolve(dir, template))) problems.push({ path: ['breach', 'notice_template'], what: `file not found: ${template}`, help: `paths are relative to the case file (${dir}); see "Art. 34 notices" in README.md` });
  const window = isRecord(raw.window) ? raw.window : {};
  const time = (v: unknown) => (v instanceof Date ? v : typeof v === 'string' ? parseIsoTime(v) : undefined);
  const from = time(window.from);
  const to = time(window.to);
  if (from && to && from >= to) problems.push({ path: ['window'], what: 'from must be before to', help: 'window.from is inclusive, window.to exclusive' });
  if (isRecord(raw.detectors)) {
    for (const p of detectorSettingProblems(raw.detectors, detectors)) problems.push({ path: ['detectors', ...p.path], what: p.what, ...(p.help ? { help: p.help } : {}) });
  }
  return { problems, zones };
}

/**
 * Reads, parses and fully validates a case file; throws one UserError listing every problem.
 * Regexes and time formats are checked by DuckDB itself in `checkCaseWithDuckDb`, run after this.
 */
export function loadCaseFile(casePath: string, detectors: readonly Detector[] = loadDetectors().detectors): CaseFile {
  const abs = path.resolve(casePath);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new UserError({ what: `case file not found: ${casePath}`, help: 'pass the path of a case YAML file, e.g. sample-logs/ticketviewer/case.yaml' });
  }
  const text = readFileSync(abs, 'utf8');
  const counter = new LineCounter();
  const doc = parseDocument(quoteFlowRoutes(text), { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const shown = path.relative(process.cwd(), abs) || abs;
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors.map((e) => ({
        what: `the case file is not valid YAML: ${e.message.split('\n')[0]}`,
        where: `${shown}:${counter.linePos(e.pos[0]).line}`,
        help: 'check indentation and quoting at that line',
      })),
    );
  }
  if (!isMap(doc.contents)) {
    throw new UserError({ what: 'the case file must be a YAML mapping with keys sources, documents, ...', where: shown, help: 'see the case-file reference in README.md' });
  }
  keepSourceText(doc);
  const line = (p: KeyPath) => lineOf(doc, counter, p) ?? 1;
  const where = (p: KeyPath) => `${shown}:${line(p)} (${keyPathText(p) || 'top level'})`;
  const dir = path.dirname(abs);
  const warnings: { line: number; text: string }[] = [];
  const js = doc.toJS() as Record<string, unknown>;
  const semantic = semanticProblems(js, dir, detectors, (p, message) => warnings.push({ line: line(p), text: `${keyPathText(p)}: ${message} (${shown}:${line(p)})` }));
  const parsed = caseSchema.safeParse(js, { reportInput: true });
  const problems: Problem[] = [...(parsed.success ? [] : parsed.error.issues.flatMap(describeIssue)), ...semantic.problems];
  if (problems.length > 0 || !parsed.success) {
    const ordered = problems.map((d) => ({ d, line: line(d.path) })).sort((a, b) => a.line - b.line);
    throw new UserError(
      ordered.map(({ d }) => ({ what: `${keyPathText(d.path) || '(top level)'}: ${d.what}`, where: where(d.path), ...(d.help ? { help: d.help } : {}) })),
      EXIT.usage,
    );
  }
  return buildCaseFile(parsed.data, { abs, dir, text, zones: semantic.zones, warnings: warnings.sort((a, b) => a.line - b.line).map((w) => w.text), locate: where });
}
