import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FormatDefinition, ServerKind } from '../formats/defined.js';
import { parseAtRisk } from './at-risk-choice.js';
import type { CaseFile } from './case-file.js';
import type { caseSchema } from './case-schema.js';
import type { FormatName } from './vocabulary.js';
import type { z } from 'zod';

/** What loadCaseFile knows of the file besides its parsed keys. */
export interface CaseFileFacts {
  readonly abs: string;
  readonly dir: string;
  readonly text: string;
  /** Time zone names as written, to the canonical names they stand for. */
  readonly zones: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  readonly locate: CaseFile['locate'];
}

/** The checked case file as the program uses it: paths absolute, defaults filled, lists read. */
export function buildCaseFile(raw: z.infer<typeof caseSchema>, o: CaseFileFacts): CaseFile {
  const { abs, dir, text } = o;
  const zoneOf = (name: string | undefined) => (name === undefined ? undefined : (o.zones.get(name) ?? name));
  const fileKey = (key: 'owners' | 'subjects' | 'grants'): string | undefined => {
    const value = raw.documents?.[key];
    return value === undefined ? undefined : path.resolve(dir, value);
  };
  const acc = raw.authorized?.accounts ?? [];
  const accounts = typeof acc === 'string' ? readAccountList(path.resolve(dir, acc)) : acc;

  return {
    path: abs,
    dir,
    sha256: createHash('sha256').update(text).digest('hex'),
    text,
    title: raw.case ?? path.basename(abs, path.extname(abs)),
    timezone: zoneOf(raw.timezone),
    window: { from: raw.window?.from, to: raw.window?.to },
    sources: raw.sources.map((s) => ({
      name: s.name,
      paths: typeof s.path === 'string' ? [s.path] : s.path,
      format: typeof s.format === 'string' ? (s.format as FormatName) : definitionOf(s.format),
      timezone: zoneOf(s.timezone),
      role: s.role,
      fields: s.fields ?? {},
    })),
    network: { trustedProxies: raw.network?.trusted_proxies ?? [] },
    documents: { routes: raw.documents?.routes ?? [], owners: fileKey('owners'), subjects: fileKey('subjects'), grants: fileKey('grants') },
    authorized: { accounts, accountsFile: typeof acc === 'string' ? path.resolve(dir, acc) : undefined, networks: raw.authorized?.networks ?? [] },
    detectors: raw.detectors ?? {},
    awareAt: raw.aware_at,
    breach: {
      nature: raw.breach?.nature,
      likelyConsequences: raw.breach?.likely_consequences,
      measures: raw.breach?.measures,
      contact: raw.breach?.contact,
      atRisk: parseAtRisk(raw.breach?.at_risk, dir),
      noticeTemplate: raw.breach?.notice_template === undefined ? undefined : path.resolve(dir, raw.breach.notice_template),
      phase: raw.breach?.phase,
      reference: raw.breach?.reference,
    },
    exclude: { crawlers: raw.exclude?.crawlers ?? false },
    enrichment: {
      asn: raw.enrichment?.asn === undefined ? undefined : path.resolve(dir, raw.enrichment.asn),
      country: raw.enrichment?.country === undefined ? undefined : path.resolve(dir, raw.enrichment.country),
      lists: (raw.enrichment?.lists ?? []).map((l) => ({ name: l.name, path: path.resolve(dir, l.path) })),
    },
    warnings: o.warnings,
    locate: o.locate,
  };
}

function definitionOf(format: Record<string, unknown>): FormatDefinition {
  const server = Object.keys(format)[0] as ServerKind;
  return { server, text: String(format[server]) };
}


/** One account per line; blank lines and `#` comments skipped; a CSV header `account` skipped. */
function readAccountList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.split(',')[0]!.trim())
    .filter((l, i) => l !== '' && !l.startsWith('#') && !(i === 0 && l === 'account'));
}
