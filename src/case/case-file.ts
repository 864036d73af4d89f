import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { parseCidr, type Cidr } from '../enrich/ip.js';
import { compileDefinition, type FormatDefinition, type ServerKind } from '../formats/defined.js';
import { jsonPathProblem } from '../formats/jsonl.js';
import { didYouMean } from '../util/did-you-mean.js';
import { EXIT, UserError, type UserMessage } from '../util/user-error.js';
import { EVENT_FIELDS, FORMAT_NAMES, SOURCE_ROLES, type EventField, type FormatName, type SourceRole } from './vocabulary.js';

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
  readonly title: string;
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
  readonly authorized: { readonly accounts: readonly string[]; readonly networks: readonly Cidr[] };
  readonly detectors: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** When the controller became aware of the breach (GDPR Art. 33: 72 hours from here). */
  readonly awareAt: Date | undefined;
  /** GDPR Art. 33(3) facts only the controller can state; the report shows what is missing. */
  readonly breach: {
    readonly nature: string | undefined;
    readonly likelyConsequences: string | undefined;
    readonly measures: string | undefined;
    readonly contact: string | undefined;
  };
  /** What the case file says that works but may not be meant (shown with the figures). */
  readonly warnings?: readonly string[];
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 to an instant; without an offset the time is UTC, as the case-file reference says. */
export function parseIsoTime(text: string): Date | undefined {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date silently rolls 2015-02-30 over to March; a case file with that is a mistake.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  return date;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timeValue = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const text = v instanceof Date ? v.toISOString() : v;
  const date = parseIsoTime(text);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not an ISO 8601 time such as 2015-03-16T00:00:00Z` });
    return z.NEVER;
  }
  return date;
});

const timeZone = z.string().refine(isTimeZone, { message: 'not an IANA time zone such as Europe/London or UTC' });

const cidrList = z.array(z.string()).transform((list, ctx) => {
  const out: Cidr[] = [];
  list.forEach((text, i) => {
    try {
      out.push(parseCidr(text));
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: [i], message: (e as Error).message });
    }
  });
  return out;
});

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const sourceSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only'),
    path: stringOrList,
    format: z.union([z.string(), z.record(z.string(), z.unknown())]).default('auto'),
    timezone: timeZone.optional(),
    role: z.enum(SOURCE_ROLES).default('access'),
    fields: z.partialRecord(z.enum(EVENT_FIELDS), z.string().min(1)).optional(),
  })
  .superRefine((s, ctx) => {
    checkFormat(s.format, ctx);
    for (const [field, key] of Object.entries(s.fields ?? {})) {
      const problem = jsonPathProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', path: ['fields', field], message: `'${key}' cannot be read: ${problem}; use dots between nested keys (user.id)` });
    }
    if (s.fields && s.format !== 'jsonl') {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: `'fields' applies to format jsonl only, this source is ${typeof s.format === 'string' ? s.format : 'a format definition'}` });
    }
  });

const DEFINITION_KEYS = ['nginx', 'apache'] as const;

/** `format:` is a reader's name or `{nginx: '<log_format>'}` / `{apache: '<LogFormat>'}`, which must compile. */
function checkFormat(format: string | Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (typeof format === 'string') {
    if ((FORMAT_NAMES as readonly string[]).includes(format)) return;
    const guess = didYouMean(format, FORMAT_NAMES);
    ctx.addIssue({ code: 'custom', path: ['format'], message: `'${format}' is not a format: ${guess ? `did you mean '${guess}'? ` : ''}use one of ${FORMAT_NAMES.join(', ')}, or {nginx: '<log_format>'} / {apache: '<LogFormat>'} (see breachscope formats)` });
    return;
  }
  const keys = Object.keys(format);
  const server = keys[0];
  if (keys.length !== 1 || !(DEFINITION_KEYS as readonly string[]).includes(server!)) {
    ctx.addIssue({ code: 'custom', path: ['format'], message: `a format definition is one key, nginx or apache, with the format string from the server's configuration; got ${keys.length === 0 ? 'none' : keys.join(', ')}` });
    return;
  }
  const text = format[server!];
  if (typeof text !== 'string' || text.trim() === '') {
    ctx.addIssue({ code: 'custom', path: ['format', server!], message: `expected the ${server} format string, e.g. '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'` });
    return;
  }
  const { problems } = compileDefinition({ server: server as ServerKind, text });
  for (const problem of problems) ctx.addIssue({ code: 'custom', path: ['format', server!], message: `this ${server} format cannot be read: ${problem}` });
}

const caseSchema = z.strictObject({
  case: z.string().min(1),
  timezone: timeZone.optional(),
  window: z.strictObject({ from: timeValue.optional(), to: timeValue.optional() }).optional(),
  sources: z.array(sourceSchema).min(1),
  network: z.strictObject({ trusted_proxies: cidrList.default([]) }).optional(),
  documents: z
    .strictObject({
      routes: z.union([z.string().min(1).transform((r) => [r]), z.array(z.string().min(1))]).default([]),
      owners: z.string().min(1).optional(),
      subjects: z.string().min(1).optional(),
      grants: z.string().min(1).optional(),
    })
    .optional(),
  authorized: z
    .strictObject({
      accounts: z.union([z.array(z.union([z.string(), z.number()]).transform(String)), z.string().min(1)]).default([]),
      networks: cidrList.default([]),
    })
    .optional(),
  detectors: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  aware_at: timeValue.optional(),
  breach: z
    .strictObject({
      nature: z.string().min(1).optional(),
      likely_consequences: z.string().min(1).optional(),
      measures: z.string().min(1).optional(),
      contact: z.string().min(1).optional(),
    })
    .optional(),
});

/** Every key a case file may hold, by key path, for "did you mean" hints. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['case', 'timezone', 'window', 'sources', 'network', 'documents', 'authorized', 'detectors', 'aware_at', 'breach'],
  breach: ['nature', 'likely_consequences', 'measures', 'contact'],
  window: ['from', 'to'],
  source: ['name', 'path', 'format', 'timezone', 'role', 'fields'],
  format: DEFINITION_KEYS,
  fields: EVENT_FIELDS,
  network: ['trusted_proxies'],
  documents: ['routes', 'owners', 'subjects', 'grants'],
  authorized: ['accounts', 'networks'],
};

type KeyPath = readonly PropertyKey[];

function keyPathText(p: KeyPath): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function knownKeysAt(p: KeyPath): readonly string[] {
  if (p.length === 0) return KNOWN_KEYS['']!;
  const last = p[p.length - 1];
  if (typeof last === 'number' && p[0] === 'sources') return KNOWN_KEYS.source!;
  return KNOWN_KEYS[String(last)] ?? [];
}

function lineOf(doc: Document, counter: LineCounter, p: KeyPath): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
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

/**
 * `routes: [/tickets/{doc}/image, /evidence.aspx?pcn={doc}]`, as the documentation writes it, is
 * not YAML: inside a flow list `{` opens a mapping. Unquoted items of a one-line `routes:` flow
 * list are quoted before parsing (on the same line, so line numbers stay true).
 */
export function quoteFlowRoutes(text: string): string {
  return text.replace(/^(\s*(?:-\s+)?routes:\s*)\[(.*)\](\s*(?:#.*)?)$/gm, (_all, head: string, items: string, tail: string) => {
    const parts = items.match(/'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,]+/g) ?? [];
    const quoted = parts
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => (p.startsWith("'") || p.startsWith('"') ? p : `'${p.replaceAll("'", "''")}'`));
    return `${head}[${quoted.join(', ')}]${tail}`;
  });
}

function definitionOf(format: Record<string, unknown>): FormatDefinition {
  const server = Object.keys(format)[0] as ServerKind;
  return { server, text: String(format[server]) };
}

/** Reads, parses and fully validates a case file; throws one UserError listing every problem. */
export function loadCaseFile(casePath: string): CaseFile {
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
    throw new UserError({ what: 'the case file must be a YAML mapping with keys case, sources, ...', where: shown, help: 'see the case-file reference in README.md' });
  }
  const parsed = caseSchema.safeParse(doc.toJS(), { reportInput: true });
  if (!parsed.success) {
    const messages: UserMessage[] = parsed.error.issues.flatMap(describeIssue).map((d) => ({
      what: `${keyPathText(d.path) || '(top level)'}: ${d.what}`,
      where: `${shown}:${lineOf(doc, counter, d.path) ?? 1} (${keyPathText(d.path) || 'top level'})`,
      ...(d.help ? { help: d.help } : {}),
    }));
    throw new UserError(messages);
  }
  const raw = parsed.data;
  const dir = path.dirname(abs);
  const problems: UserMessage[] = [];
  const where = (p: KeyPath) => `${shown}:${lineOf(doc, counter, p) ?? 1} (${keyPathText(p)})`;

  const names = new Set<string>();
  raw.sources.forEach((s, i) => {
    if (names.has(s.name)) problems.push({ what: `sources[${i}].name: '${s.name}' is used twice`, where: where(['sources', i, 'name']), help: 'give every source its own name' });
    names.add(s.name);
  });

  const fileKey = (key: 'owners' | 'subjects' | 'grants'): string | undefined => {
    const value = raw.documents?.[key];
    if (value === undefined) return undefined;
    const full = path.resolve(dir, value);
    if (!existsSync(full)) problems.push({ what: `documents.${key}: file not found: ${value}`, where: where(['documents', key]), help: `paths are relative to the case file (${dir})` });
    return full;
  };
  const owners = fileKey('owners');
  const subjects = fileKey('subjects');
  const grants = fileKey('grants');
  if ((subjects || grants) && !owners) {
    problems.push({ what: 'documents: subjects or grants given without owners', where: where(['documents']), help: 'add documents.owners: the CSV of document_id, owner_account' });
  }

  let accounts: string[] = [];
  const acc = raw.authorized?.accounts ?? [];
  if (typeof acc === 'string') {
    const full = path.resolve(dir, acc);
    if (!existsSync(full)) problems.push({ what: `authorized.accounts: file not found: ${acc}`, where: where(['authorized', 'accounts']), help: 'give a list of accounts or the path of a file with one account per line' });
    else accounts = readAccountList(full);
  } else accounts = acc;

  const window = { from: raw.window?.from, to: raw.window?.to };
  if (window.from && window.to && window.from >= window.to) {
    problems.push({ what: 'window: from must be before to', where: where(['window']), help: 'window.from is inclusive, window.to exclusive' });
  }

  if (problems.length > 0) throw new UserError(problems, EXIT.usage);
  return {
    path: abs,
    dir,
    sha256: createHash('sha256').update(text).digest('hex'),
    text,
    title: raw.case,
    timezone: raw.timezone,
    window,
    sources: raw.sources.map((s) => ({
      name: s.name,
      paths: typeof s.path === 'string' ? [s.path] : s.path,
      format: typeof s.format === 'string' ? (s.format as FormatName) : definitionOf(s.format),
      timezone: s.timezone,
      role: s.role,
      fields: s.fields ?? {},
    })),
    network: { trustedProxies: raw.network?.trusted_proxies ?? [] },
    documents: { routes: raw.documents?.routes ?? [], owners, subjects, grants },
    authorized: { accounts, networks: raw.authorized?.networks ?? [] },
    detectors: raw.detectors ?? {},
    awareAt: raw.aware_at,
    breach: {
      nature: raw.breach?.nature,
      likelyConsequences: raw.breach?.likely_consequences,
      measures: raw.breach?.measures,
      contact: raw.breach?.contact,
    },
  };
}

/** One account per line; blank lines and `#` comments skipped; a CSV header `account` skipped. */
function readAccountList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.split(',')[0]!.trim())
    .filter((l, i) => l !== '' && !l.startsWith('#') && !(i === 0 && l === 'account'));
}
