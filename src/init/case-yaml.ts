import type { CasePlan, RoutePlan, SourcePlan } from './case-plan.js';

/**
 * File names and paths come from the folder and the logs, which clients and attackers wrote: in a
 * comment, a line break would start a YAML line of its own. Every control character and Unicode
 * line or paragraph separator becomes a visible escape.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export function commentSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** A YAML double-quoted scalar: a JSON string is one, and nothing in it can end the value. */
export const quoted = (value: string): string => JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.codePointAt(0)!.toString(16)}`);

const TODO = 'TODO(controller):';

function sourceYaml(s: SourcePlan): string[] {
  const out = [`  - name: ${quoted(s.name)}`];
  for (const n of s.notes) out.push(`    # ${commentSafe(n)}`);
  out.push(s.paths.length === 1 ? `    path: ${quoted(s.paths[0]!)}` : '    path:', ...(s.paths.length === 1 ? [] : s.paths.map((p) => `      - ${quoted(p)}`)));
  out.push(`    format: ${s.format}`);
  out.push(`    role: ${s.role}${s.role === 'identity' ? '                     # lends accounts to requests; its records are never requests' : ''}`);
  if (s.timezone) out.push(`    timezone: ${s.timezone}                   # ${TODO} the zone the server wrote these times in (IANA name)`);
  return out;
}

function routeYaml(r: RoutePlan): string[] {
  return [`    # ${commentSafe(r.note)}`, `    ${r.active ? '' : '# '}- ${quoted(r.route)}`];
}

/**
 * The case file `init` writes: every value found in the logs with the evidence beside it, and a
 * TODO on every value only the controller can give. `draft`: the sources alone, for init's own
 * look at the logs (no owners placeholder, which would not load until the file exists).
 */
export function caseYaml(plan: CasePlan, o: { draft?: boolean } = {}): string {
  const out: string[] = [];
  out.push('# Written by `breachscope init`: check every line, then run `breachscope analyze` on this file.');
  out.push(`# Lines marked ${TODO} hold values only the controller can give.`);
  for (const s of plan.skipped) out.push(`# left out: ${commentSafe(s)}`);
  for (const p of plan.problems) out.push(`# ${TODO} ${commentSafe(p)}`);
  out.push(`case: ${quoted(plan.title)}              # ${TODO} the incident's name, as the report should title it`);
  out.push(`# timezone: Europe/London          # ${TODO} the zone the report shows times in (IANA name); UTC without it`);
  if (plan.window) {
    out.push(`window:                            # ${TODO} the exposure period; set here to the span of the access logs`);
    out.push(`  from: ${plan.window.from}`, `  to: ${plan.window.to}           # exclusive: one second past the last request`);
  }
  out.push(`# aware_at: 2015-04-14T09:00:00Z   # ${TODO} when the controller became aware (GDPR Art. 33: 72 hours from then)`);
  out.push('sources:', ...plan.sources.flatMap(sourceYaml));
  if (plan.trustedProxies) {
    out.push('network:', `  # ${commentSafe(plan.trustedProxies.note)}`);
    out.push(`  trusted_proxies: [${plan.trustedProxies.cidrs.map(quoted).join(', ')}]   # ${TODO} your own proxies and load balancers (CIDRs)`);
  }
  out.push('documents:');
  if (plan.routes.length === 0) out.push(`  routes: []                         # ${TODO} no path has an id-like segment: write the route of a document (breachscope routes)`);
  else if (!plan.routes.some((r) => r.active)) out.push(`  routes: []                         # ${TODO} none is sure: replace [] by the lines below that serve a document, uncommented`, ...plan.routes.flatMap(routeYaml));
  else out.push(`  routes:                            # from \`breachscope routes\`: ${TODO} keep the routes that serve a document`, ...plan.routes.flatMap(routeYaml));
  if (plan.owners && (!o.draft || plan.owners.exists)) {
    const placeholder = plan.owners.exists ? '' : ` ${TODO} provide this CSV, header: document_id,owner_account`;
    out.push(`  owners: ${quoted(plan.owners.path)}${placeholder ? `   #${placeholder}` : ''}`);
  }
  out.push(`  # subjects: subjects.csv          # ${TODO} optional; header: document_id,subject_id (who is in each document)`);
  out.push(`  # grants: grants.csv              # ${TODO} optional; header: account,document_id (access given on purpose)`);
  out.push(`# authorized:                       # ${TODO} who may see any document`);
  out.push('#   accounts: [staff.account]');
  out.push('#   networks: [192.0.2.0/24]');
  out.push(`# breach:                           # ${TODO} GDPR Art. 33(3) facts`);
  out.push('#   nature: ...', '#   likely_consequences: ...', '#   measures: ...', '#   contact: dpo@example.org');
  return `${out.join('\n')}\n`;
}
