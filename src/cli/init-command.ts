import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCaseFile, type CaseFile } from '../case/case-file.js';
import { findOverlaps } from '../db/selection.js';
import { Store } from '../db/store.js';
import { loadReferenceData } from '../analyze/reference-data.js';
import { discoverRoutes } from '../analyze/route-discovery.js';
import { ingestCase, type FileReport } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import type { CasePlan } from '../init/case-plan.js';
import { caseYaml } from '../init/case-yaml.js';
import { identityNote, isIdentity, planRoutes, planSources, titleOf, windowOf, withNotes, type SourceGroup } from '../init/plan-case.js';
import { fileSpans, forwardingProxies, identityCandidates, sourceSpans } from '../init/survey-store.js';
import { surveyFiles } from '../init/survey-files.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { plural } from '../util/plural.js';
import { UserError } from '../util/user-error.js';

export interface InitOptions {
  readonly out: string;
  readonly force?: boolean;
  readonly owners?: string;
  readonly db?: string;
}

/**
 * `breachscope init <folder-or-glob>`: sniffs every file, groups rotated sets into sources, reads
 * them into the case store (as `ingest` would), finds identity logs and proposes routes from the
 * stored events, then writes a commented case file.
 */
export async function initCommand(input: string, o: InitOptions): Promise<void> {
  const outFile = path.resolve(o.out);
  if (existsSync(outFile) && !o.force) {
    throw new UserError({ what: `init: ${o.out} exists already`, where: outFile, why: 'init writes a new case file and does not overwrite one you may have edited', help: 'pass --out with another name, or --force to replace it' });
  }
  const outDir = path.dirname(outFile);
  mkdirSync(outDir, { recursive: true });
  const owners = ownersPlan(o.owners, outDir);
  const files = await surveyFiles(input, outDir, outFile);
  const skipped = files.filter((f) => f.skipped !== undefined).map((f) => `${f.rel}: ${f.skipped}`);
  const groups = planSources(files, outDir);
  if (groups.length === 0) {
    throw new UserError({ what: `init: no file under '${input}' is a log breachscope reads`, why: skipped.slice(0, 8).join('; '), help: 'breachscope formats lists the formats; a server\'s own layout can be pasted as format: {nginx: ...} in a case file written by hand' });
  }
  const draft: CasePlan = { title: titleOf(input), window: undefined, sources: groups.map((g) => g.plan), trustedProxies: undefined, routes: [], owners, skipped, problems: [] };
  const caseFile = loadDraft(draft, outDir);
  const store = await Store.open(o.db ? path.resolve(o.db) : path.join(outDir, '.breachscope'));
  let plan: CasePlan;
  try {
    const reports = await ingestCase(store, caseFile, Progress.forStderr());
    plan = await surveyStore(store, caseFile, draft, groups, reports);
  } finally {
    store.close();
  }
  writeFileSync(outFile, caseYaml(plan), { flag: o.force ? 'w' : 'wx' });
  process.stdout.write(summary(plan, o.out));
}

function ownersPlan(owners: string | undefined, outDir: string): CasePlan['owners'] {
  if (owners === undefined) return { path: 'owners.csv', exists: false };
  const abs = path.resolve(owners);
  if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) {
    throw new UserError({ what: `init: --owners ${owners} is not a file`, where: abs, help: 'give the CSV of document_id,owner_account, or leave --owners out: the case file then names a placeholder' });
  }
  return { path: path.relative(outDir, abs).split(path.sep).join('/'), exists: true };
}

/** The sources alone, loaded as any case file is (validated whole); the file itself is removed at once. */
function loadDraft(plan: CasePlan, outDir: string): CaseFile {
  const draftPath = path.join(outDir, `.breachscope-init-${process.pid}.yaml`);
  writeFileSync(draftPath, caseYaml(plan, { draft: true }));
  try {
    return loadCaseFile(draftPath);
  } finally {
    rmSync(draftPath, { force: true });
  }
}

/** What the stored events say: spans, identity logs, forwarding proxies, routes. */
async function surveyStore(store: Store, caseFile: CaseFile, draft: CasePlan, groups: readonly SourceGroup[], reports: readonly FileReport[]): Promise<CasePlan> {
  const candidates = new Map((await identityCandidates(store)).map((c) => [c.source, c]));
  const rejected = new Map(reports.filter((r) => r.rejected > 0).map((r) => [r.path.split(path.sep).join('/'), `${plural(r.rejected, 'line')} rejected (first: line ${r.rejectExamples[0]?.line}: ${r.rejectExamples[0]?.reason})`]));
  const spans = await fileSpans(store);
  const sources = groups.map((g) => {
    const plan = withNotes(g, spans, rejected);
    const c = candidates.get(plan.name);
    if (!c) return plan;
    return { ...plan, role: isIdentity(c) ? ('identity' as const) : plan.role, notes: [...plan.notes, identityNote(c)] };
  });
  const access = new Set(sources.filter((s) => s.role === 'access').map((s) => s.name));
  const proxies = await forwardingProxies(store);
  const owned = draft.owners?.exists ? await loadReferenceData(store, caseFile) : undefined;
  const discovery = await discoverRoutes(store, { eventsRelation: 'case_events', ownersRelation: owned ? 'document_owners' : undefined, top: 10 });
  const overlaps = (await findOverlaps(store)).map((m) => `${m.what}: ${m.help}`);
  return {
    ...draft,
    problems: overlaps,
    window: windowOf(await sourceSpans(store), access),
    sources,
    routes: planRoutes(discovery, owned !== undefined),
    trustedProxies:
      proxies.addresses.length === 0
        ? undefined
        : { cidrs: proxyBlocks(proxies.addresses), note: `private addresses ${proxies.addresses.slice(0, 6).join(', ')}${proxies.addresses.length > 6 ? ', ...' : ''} sent ${plural(proxies.requests, 'request')} with X-Forwarded-For: your proxies? Their /24 (IPv6: /64) is proposed, for the hops behind them${proxies.publicForwarders > 0 ? `; ${plural(proxies.publicForwarders, 'public address', 'public addresses')} did too: not proposed` : ''}` },
  };
}

/** The /24 (IPv6: /64) of each forwarding address: a load balancer's neighbours are its peers, which X-Forwarded-For names too. */
function proxyBlocks(addresses: readonly string[]): string[] {
  const blocks = addresses.map((a) => {
    if (!a.includes(':')) return `${a.split('.').slice(0, 3).join('.')}.0/24`;
    const groups = a.split('::')[0]!.split(':').slice(0, 4);
    return groups.length === 4 ? `${groups.join(':')}::/64` : `${a}/128`;
  });
  return [...new Set(blocks)];
}

function summary(plan: CasePlan, out: string): string {
  const lines = [`Wrote ${terminalSafe(out)}:`];
  for (const s of plan.sources) lines.push(`  source ${terminalSafe(s.name)} (${s.role}, format ${s.format}${s.timezone ? ', timezone UTC: check it' : ''}): ${s.paths.map(terminalSafe).join(', ')}`);
  for (const s of plan.skipped) lines.push(`  left out ${terminalSafe(s)}`);
  for (const p of plan.problems) lines.push(`  to settle before analyze: ${terminalSafe(p)}`);
  lines.push(plan.window ? `  window: ${plan.window.from} to ${plan.window.to} (the access logs' span)` : '  window: none (no access event has a time)');
  const live = plan.routes.filter((r) => r.active);
  lines.push(live.length > 0 ? `  routes: ${live.map((r) => terminalSafe(JSON.stringify(r.route))).join(', ')}` : '  routes: none proposed (breachscope routes lists the path shapes)');
  lines.push('Next:');
  if (plan.owners && !plan.owners.exists) lines.push(`  1. provide ${terminalSafe(plan.owners.path)} beside the case file: a CSV with the header document_id,owner_account`);
  lines.push(`  ${plan.owners?.exists ? 1 : 2}. check the lines marked TODO(controller), then: breachscope analyze ${terminalSafe(out)}`);
  return `${lines.join('\n')}\n`;
}

