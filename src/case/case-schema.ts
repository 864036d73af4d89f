import { z } from 'zod';
import { compileDefinition, type ServerKind } from '../formats/defined.js';
import { jsonPathProblem } from '../formats/jsonl.js';
import { didYouMean } from '../util/did-you-mean.js';
import { enrichmentSchema } from './enrichment-spec.js';
import { parseCidr, type Cidr } from './ip.js';
import { checkTimeZone } from './time-zone.js';
import { EVENT_FIELDS, FORMAT_NAMES, SOURCE_ROLES } from './vocabulary.js';

/**
 * The case file's shape (zod): every key, its type and the checks that need no other file. What
 * needs the folder or the detector catalog (files exist, routes compile, settings in range) is
 * case-file.ts's semanticProblems. KNOWN_KEYS gives the "did you mean" hints.
 */
export const BREACH_PHASES = ['initial', 'follow-up'] as const;
export type BreachPhase = (typeof BREACH_PHASES)[number];

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

/** Whether a case file accepts `name` as a time zone (IANA names and UTC; not abbreviations such as BST). */
export function isTimeZone(name: string): boolean {
  return checkTimeZone(name).ok;
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

// Checked (with its warnings and hints) in semanticProblems; the schema only wants a string.
const timeZone = z.string();

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

export const DEFINITION_KEYS = ['nginx', 'apache'] as const;

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

export const caseSchema = z.strictObject({
  case: z.string().min(1).optional(),
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
      // Scalars in the list keep their text as written (see keepSourceText): 00123 stays 00123.
      accounts: z.union([z.array(z.string()), z.string().min(1)]).default([]),
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
      at_risk: z.string().min(1).optional(),
      notice_template: z.string().min(1).optional(),
      phase: z.enum(BREACH_PHASES).optional(),
      reference: z.string().min(1).optional(),
    })
    .optional(),
  exclude: z.strictObject({ crawlers: z.boolean().default(false) }).optional(),
  enrichment: enrichmentSchema.optional(),
});

/** Every key a case file may hold, by key path, for "did you mean" hints. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['case', 'timezone', 'window', 'sources', 'network', 'documents', 'authorized', 'detectors', 'aware_at', 'breach', 'exclude', 'enrichment'],
  exclude: ['crawlers'],
  enrichment: ['asn', 'country', 'lists'],
  list: ['name', 'path'],
  breach: ['nature', 'likely_consequences', 'measures', 'contact', 'at_risk', 'notice_template', 'phase', 'reference'],
  window: ['from', 'to'],
  source: ['name', 'path', 'format', 'timezone', 'role', 'fields'],
  format: DEFINITION_KEYS,
  fields: EVENT_FIELDS,
  network: ['trusted_proxies'],
  documents: ['routes', 'owners', 'subjects', 'grants'],
  authorized: ['accounts', 'networks'],
};
