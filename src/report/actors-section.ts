import path from 'node:path';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import type { Analysis } from '../analyze/analysis.js';
import { buildActors, enumerationText, SESSION_GAP_MINUTES, topActors } from '../analyze/actors.js';
import { crawlerSentence } from '../analyze/crawlers.js';
import { hasIpContext } from '../analyze/ip-context.js';
import type { Section } from './section.js';

const cap = (shown: number, total: number, what: string) =>
  total > shown ? `Showing the ${shown.toLocaleString('en-US')} ${what} with the most accesses of ${total.toLocaleString('en-US')}; breachscope actors --json lists them all.` : '';

/** The report's "Actors" section: who made the unauthorized accesses, crawlers stated apart. */
export async function actorsSection(store: Store, analysis: Analysis, maxRows: number): Promise<Section> {
  await buildActors(store, analysis.detectors);
  const { total, actors } = await topActors(store, maxRows);
  return {
    id: 'actors',
    title: 'Actors',
    blocks: [
      {
        kind: 'paragraph',
        text: `${total} ${total === 1 ? 'actor' : 'actors'} made the unauthorized accesses: an actor is the account of a request, or its client IP when it has none. A session ends after ${SESSION_GAP_MINUTES} minutes without a document request; attempts (401, 403, 404) are counted before the actor's first unauthorized access.`,
      },
      { kind: 'paragraph', text: crawlerSentence(analysis.crawlers) },
      {
        kind: 'table',
        headers: ['actor', 'kind', 'accesses', 'documents', 'requests', 'attempts before first access', 'sessions', 'client IPs', 'user agents', 'first request (UTC)', 'last request (UTC)', 'enumeration', 'known crawler'],
        rows: actors.map((a) => [a.actor, a.kind === 'account' ? 'account' : 'anonymous IP', a.accesses, a.documents, a.requests, a.attempts_before_first_access, a.sessions, a.ips, a.user_agents, a.first_request, a.last_request, enumerationText(a.enumeration), a.crawler ? `${a.crawler} (${a.crawler_accesses})` : '']),
        empty: 'No actor: no unauthorized access was counted.',
        note: cap(actors.length, total, 'actors'),
      },
    ],
  };
}

/** The report's "IP context" section, when the case names enrichment files: per client IP of the accesses. */
export async function ipContextSection(store: Store, caseFile: CaseFile, maxRows: number): Promise<Section | undefined> {
  if (!hasIpContext(caseFile)) return undefined;
  const e = caseFile.enrichment;
  const rows = await store.all<{ client_ip: string; accesses: number; asn: string | null; as_org: string | null; country: string | null; lists: string }>(
    `SELECT u.client_ip, count(*) AS accesses, any_value(c.asn) AS asn, any_value(c.as_org) AS as_org, any_value(c.country) AS country,
       coalesce(array_to_string(any_value(c.lists), ', '), '') AS lists
     FROM unauthorized u LEFT JOIN ip_context c USING (client_ip) WHERE u.client_ip IS NOT NULL
     GROUP BY u.client_ip ORDER BY accesses DESC, u.client_ip LIMIT $limit`,
    { limit: maxRows },
  );
  const t = await store.one<{ ips: number; listed: number }>(
    `SELECT count(DISTINCT u.client_ip) AS ips, count(DISTINCT u.client_ip) FILTER (WHERE len(c.lists) > 0) AS listed
     FROM unauthorized u LEFT JOIN ip_context c USING (client_ip)`,
  );
  const named = [e.asn && `ASN: ${path.basename(e.asn)}`, e.country && `country: ${path.basename(e.country)}`, ...e.lists.map((l) => `list ${l.name}: ${path.basename(l.path)}`)].filter(Boolean);
  return {
    id: 'ip-context',
    title: 'Client IP context',
    blocks: [
      { kind: 'paragraph', text: `From the files the case names (${named.join('; ')}; SHA-256 of each in manifest.json): ${t.listed} of ${t.ips} client IPs are on a list.` },
      {
        kind: 'table',
        headers: ['client IP', 'accesses', 'ASN', 'organisation', 'country', 'lists'],
        rows: rows.map((r) => [r.client_ip, r.accesses, r.asn ?? '', r.as_org ?? '', r.country ?? '', r.lists]),
        empty: 'No client IP.',
        note: cap(rows.length, t.ips, 'client IPs'),
      },
    ],
  };
}
