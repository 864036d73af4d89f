import { enumerationText, type ActorIp, type ActorRow, type ActorSession } from '../analyze/actors.js';
import { crawlerSentence, type CrawlerTotals } from '../analyze/crawlers.js';
import { clip, terminalSafe } from '../util/terminal-safe.js';
import { zonedTime } from './text-report.js';

export interface ActorsView {
  readonly total: number;
  readonly actors: readonly ActorRow[];
  readonly crawlers: CrawlerTotals;
  readonly details: readonly { readonly actor: ActorRow; readonly sessions: readonly ActorSession[]; readonly ips: readonly ActorIp[] }[];
  /** Whether the case names IP context (enrichment:): its columns are shown then. */
  readonly ipContext: boolean;
}

const kindText = (r: ActorRow) => (r.kind === 'account' ? 'account' : 'anonymous IP');

/** `breachscope actors` as text: the actors table (capped), the crawler line, and any actor asked for in detail. */
export function renderActorsText(v: ActorsView, zone: string | undefined): string {
  const out: string[] = [];
  const shown = v.actors.length < v.total ? ` (the ${v.actors.length} with the most accesses; --top to see more)` : '';
  out.push(`${v.total} ${v.total === 1 ? 'actor' : 'actors'} with an unauthorized access${shown}.`, terminalSafe(crawlerSentence(v.crawlers)), '');
  if (v.actors.length > 0) {
    const w = Math.min(40, Math.max(5, ...v.actors.map((a) => terminalSafe(a.actor).length)));
    out.push(`  ${'actor'.padEnd(w)}  kind          accesses  docs  requests  attempts*  sessions  IPs  UAs  first request              enumeration / crawler`);
    for (const a of v.actors) {
      const notes = [enumerationText(a.enumeration), a.crawler ? `crawler ${a.crawler} (${a.crawler_accesses})` : ''].filter((x) => x !== '').join('; ');
      out.push(
        `  ${clip(a.actor, w).padEnd(w)}  ${kindText(a).padEnd(12)}  ${String(a.accesses).padStart(8)}  ${String(a.documents).padStart(4)}  ${String(a.requests).padStart(8)}  ${String(a.attempts_before_first_access).padStart(9)}  ${String(a.sessions).padStart(8)}  ${String(a.ips).padStart(3)}  ${String(a.user_agents).padStart(3)}  ${zonedTime(a.first_request, zone).padEnd(25)}  ${terminalSafe(notes)}`,
      );
    }
    out.push('  * attempts (401/403/404) before the first unauthorized access; sessions end after 30 minutes without a request', '');
  }
  for (const d of v.details) out.push(...detailText(d, v.ipContext, zone));
  return `${out.join('\n')}\n`;
}

function detailText(d: ActorsView['details'][number], ipContext: boolean, zone: string | undefined): string[] {
  const a = d.actor;
  const out = [
    `${kindText(a)} ${terminalSafe(a.actor)}: ${a.accesses} unauthorized accesses to ${a.documents} documents, ${a.requests} document requests in ${a.sessions} sessions`,
    `  first request ${zonedTime(a.first_request, zone)}, last ${zonedTime(a.last_request, zone)}; first unauthorized access ${zonedTime(a.first_access, zone)}, after ${a.attempts_before_first_access} attempts`,
  ];
  if (a.enumeration) out.push(`  enumeration: ${enumerationText(a.enumeration)} (${a.enumeration.findings} requests flagged by document_id_enumeration)`);
  if (a.crawler) out.push(`  known crawler: ${terminalSafe(a.crawler)} (${a.crawler_accesses} accesses)`);
  out.push('  sessions');
  for (const s of d.sessions) {
    out.push(`    ${String(s.session).padStart(4)}  ${zonedTime(s.from, zone)} .. ${zonedTime(s.to, zone)}  ${s.requests} requests, ${s.accesses} accesses, ${s.attempts} attempts, ${s.documents} documents, IPs ${terminalSafe(clip(s.ips.join(' '), 60))}`);
  }
  if (d.sessions.length < a.sessions) out.push(`    ... ${a.sessions - d.sessions.length} more sessions (--top to see more)`);
  out.push('  client IPs');
  for (const ip of d.ips) {
    const context = ipContext ? `  ${terminalSafe([ip.asn, ip.as_org, ip.country, ip.lists.join(',')].map((x) => x || '-').join('  '))}` : '';
    out.push(`    ${terminalSafe(ip.client_ip).padEnd(39)}  ${String(ip.requests).padStart(6)} requests${context}`);
  }
  out.push('');
  return out;
}

/** `actors --json`: snake_case, every value as computed. */
export function actorsJson(v: ActorsView): Record<string, unknown> {
  return { schema_version: 1, total_actors: v.total, crawlers: v.crawlers, actors: v.actors, details: v.details };
}
