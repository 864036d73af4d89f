import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/*
 * `enrichment:` in the case file: offline IP context the responder brings. Paths are relative to
 * the case file; they must exist when it loads.
 */

export interface Enrichment {
  /** iptoasn `ip2asn` TSV: range_start, range_end, AS number, country, AS description. */
  readonly asn: string | undefined;
  /** iptoasn `ip2country` TSV: range_start, range_end, country; else the ASN file's country. */
  readonly country: string | undefined;
  /** Named lists of IPs and CIDRs (tor exits, a VPN provider...), one a line. */
  readonly lists: readonly { readonly name: string; readonly path: string }[];
}

export const enrichmentSchema = z.strictObject({
  asn: z.string().min(1).optional(),
  country: z.string().min(1).optional(),
  lists: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only'), path: z.string().min(1) })).default([]),
});

export interface EnrichmentProblem {
  readonly path: readonly (string | number)[];
  readonly what: string;
  readonly help: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The files `enrichment:` names must exist; list names must differ. */
export function enrichmentFileProblems(enrichment: unknown, dir: string): EnrichmentProblem[] {
  if (!isRecord(enrichment)) return [];
  const problems: EnrichmentProblem[] = [];
  const missing = (value: unknown, p: readonly (string | number)[]) => {
    if (typeof value === 'string' && value !== '' && !existsSync(path.resolve(dir, value))) problems.push({ path: p, what: `file not found: ${value}`, help: `paths are relative to the case file (${dir})` });
  };
  missing(enrichment.asn, ['enrichment', 'asn']);
  missing(enrichment.country, ['enrichment', 'country']);
  const names = new Set<unknown>();
  (Array.isArray(enrichment.lists) ? enrichment.lists : []).forEach((l, i) => {
    if (!isRecord(l)) return;
    missing(l.path, ['enrichment', 'lists', i, 'path']);
    if (typeof l.name === 'string' && names.has(l.name)) problems.push({ path: ['enrichment', 'lists', i, 'name'], what: `'${l.name}' is used twice`, help: 'give every list its own name' });
    names.add(l.name);
  });
  return problems;
}

