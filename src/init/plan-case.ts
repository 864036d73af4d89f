import path from 'node:path';
import fg from 'fast-glob';
import { plural } from '../util/plural.js';
import type { RouteDiscovery } from '../analyze/route-discovery.js';
import type { RoutePlan, SourcePlan } from './case-plan.js';
import { globBase } from '../ingest/resolve-source.js';
import { groupRotated, sourceName } from './rotation.js';
import type { FileSpan, IdentityCandidate, SourceSpan } from './survey-store.js';
import type { SurveyedFile } from './survey-files.js';

/** The NCSA shapes one reader reads: `auto` reads each file of them with every head shape. */
const NCSA = new Set(['combined', 'common', 'vhost_combined', 'traefik_clf']);

/** A source `init` proposes, with the files it reads. */
export interface SourceGroup {
  readonly plan: SourcePlan;
  readonly members: readonly SurveyedFile[];
}

/** The files `init` reads, grouped into sources: one per rotated set of one format. */
export function planSources(files: readonly SurveyedFile[], outDir: string): SourceGroup[] {
  const read = files.filter((f) => f.skipped === undefined);
  const sets = groupRotated(read, (f) => f.rel, (f) => (NCSA.has(f.format!) ? 'ncsa' : f.format!));
  const taken = new Set<string>();
  return sets.map((set) => {
    const format = NCSA.has(set.members[0]!.format!) ? 'auto' : set.members[0]!.format!;
    const needsZone = set.members.some((m) => m.zone.needsZone);
    const paths = sourcePaths(set.dir, set.base, set.members, outDir);
    const plan: SourcePlan = { name: sourceName(set.base, taken), paths, format, role: 'access', timezone: needsZone ? 'UTC' : undefined, notes: [] };
    return { plan, members: set.members };
  });
}

/** Characters a glob reads as syntax: a name holding one is listed as it is, not globbed. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;

/**
 * `dir/base*` when that glob matches exactly the set's files on disk (so that a rotation adds the
 * next file by itself), else the files one by one.
 */
function sourcePaths(dir: string, base: string, members: readonly SurveyedFile[], outDir: string): string[] {
  const glob = `${dir === '' ? '' : `${dir}/`}${base}*`;
  const rels = members.map((m) => m.rel).sort();
  if (rels.length < 2 || GLOB_SYNTAX.test(glob.slice(0, -1))) return rels;
  const g = globBase(outDir, glob);
  const matched = fg.sync(g.glob, { cwd: g.cwd, onlyFiles: true, dot: true, followSymbolicLinks: false, suppressErrors: true }).map((m) => path.resolve(g.cwd, m)).sort();
  const wanted = members.map((m) => m.abs).sort();
  return matched.length === wanted.length && matched.every((m, i) => m === wanted[i]) ? [glob] : rels;
}

/** One comment line per file: lines, format and why, events and span, time-zone evidence. */
export function withNotes(group: SourceGroup, spans: readonly FileSpan[], rejected: ReadonlyMap<string, string>): SourcePlan {
  const byPath = new Map(spans.map((f) => [f.path.split(path.sep).join('/'), f]));
  const notes = group.members.map((m) => {
    const span = byPath.get(m.rel);
    return [`${m.rel}: ${m.lines.toLocaleString('en')} lines`, `${m.format} (${m.reason})`, span ? spanText(span) : '', rejected.get(m.rel) ?? '', `time zone: ${m.zone.evidence}`].filter(Boolean).join('; ');
  });
  return { ...group.plan, notes: [...group.plan.notes, ...notes] };
}

/** A source whose records mostly name no request and lend accounts by request id or session. */
export function isIdentity(c: IdentityCandidate): boolean {
  return c.withAccount > 0 && c.withPath * 2 < c.events;
}

export function identityNote(c: IdentityCandidate): string {
  const joins = [c.sharedRequestIds > 0 ? plural(c.sharedRequestIds, 'request id') : '', c.sharedSessions > 0 ? plural(c.sharedSessions, 'session') : ''].filter(Boolean).join(' and ');
  return isIdentity(c)
    ? `identity: ${c.withAccount.toLocaleString('en')} of its ${c.events.toLocaleString('en')} records carry an account, and ${joins} of them also appear in the access logs`
    : `it carries accounts with ${joins} that also appear in other logs, but most of its records are requests: kept as access (set role: identity if it only lends accounts)`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

/** The access sources' span, whole seconds: from the first request to one second past the last. */
export function windowOf(spans: readonly SourceSpan[], access: ReadonlySet<string>): { from: string; to: string } | undefined {
  const own = spans.filter((s) => access.has(s.source) && s.first && s.last);
  if (own.length === 0) return undefined;
  const first = Math.min(...own.map((s) => s.first!.getTime()));
  const last = Math.max(...own.map((s) => s.last!.getTime()));
  return { from: iso(Math.floor(first / 1000) * 1000), to: iso(Math.floor(last / 1000) * 1000 + 1000) };
}

export const spanText = (s: { events: number; first: Date | undefined; last: Date | undefined }): string =>
  s.first && s.last ? `${s.events.toLocaleString('en')} events from ${iso(s.first.getTime())} to ${iso(s.last.getTime())}` : `${s.events.toLocaleString('en')} events, no time`;

/**
 * Routes from the discovery `breachscope routes` prints. With an owners file, every candidate whose
 * values are mostly document ids is proposed live; without one, the best candidate is, and the
 * next ones are written commented out.
 */
export function planRoutes(d: RouteDiscovery, withOwners: boolean): RoutePlan[] {
  const all = d.top.flatMap((s) => s.candidates.filter((c) => c.route !== undefined).map((c) => ({ shape: s, c })));
  const seen = new Set<string>();
  const plans: RoutePlan[] = [];
  for (const { shape, c } of all) {
    if (seen.has(c.route!) || plans.length >= 8) continue;
    seen.add(c.route!);
    const share = c.ownersMatchShare === undefined ? '' : `, ${(c.ownersMatchShare * 100).toFixed(1)}% in the owners file`;
    // Without owners, the best position of each shape with ten ids or more: a route that names no
    // owned document counts nothing (its requests are unknown_document_access), so a spare one is cheap.
    const active = withOwners ? (c.ownersMatchShare ?? 0) >= 0.5 : c === shape.candidates.find((x) => x.route !== undefined) && c.distinctValues >= 10;
    plans.push({ route: c.route!, active, note: `${plural(shape.requests, 'request')} of shape ${shape.shape}: ${plural(c.distinctValues, 'distinct id')}${share}` });
  }
  return plans.map((p) => subResource(p, plans));
}

/**
 * `/tickets/{doc}/thumbnail` beside `/tickets/{doc}`: the longer route
 * names a part of the document (a thumbnail, a preview), which may not disclose it. Only the
 * controller knows: it is written commented out, saying so.
 */
function subResource(p: RoutePlan, all: readonly RoutePlan[]): RoutePlan {
  const parent = all.find((q) => q !== p && q.active && !q.route.includes('?') && p.route.split('?')[0]!.startsWith(`${q.route}/`));
  if (!p.active || !parent) return p;
  return { ...p, active: false, note: `${p.note}; a part of ${parent.route} (a thumbnail or preview?): uncomment it if it shows the document itself` };
}

/** The case's first title: the last folder or file name of the input that is not a glob pattern (`logs/*.log` -> logs). */
export const titleOf = (input: string): string =>
  path
    .resolve(input)
    .split(path.sep)
    .filter((part) => part !== '' && !/[*?[\]{}]/.test(part))
    .at(-1) ?? 'breach';
