import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../db/store.js';
import { projectRoot } from '../util/project-root.js';

/** The list of known crawlers kept in the repo (reference/README.md says where it comes from). */
export const CRAWLER_LIST = 'reference/crawler-user-agents.txt';

/** The patterns of the list, in file order; `#` lines and blank lines are skipped. */
export function crawlerPatterns(): string[] {
  return readFileSync(path.join(projectRoot(), CRAWLER_LIST), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    // The list's patterns come from JavaScript regexes, where / is escaped; RE2 needs no escape,
    // and the pattern is also the name shown for the crawler (Googlebot/, not Googlebot\/).
    .map((l) => l.replaceAll('\\/', '/'));
}

/**
 * `crawler_agents` (user_agent, crawler): each distinct user agent of `document_requests` that a
 * known crawler's pattern matches, with the first such pattern. One combined RE2 test per distinct
 * user agent, then the few that match are tested pattern by pattern to name the crawler.
 */
export async function markCrawlers(store: Store): Promise<void> {
  const patterns = crawlerPatterns();
  await store.run(
    `CREATE OR REPLACE TEMP TABLE crawler_agents AS
     WITH p AS (SELECT unnest($patterns) AS pattern, generate_subscripts($patterns, 1) AS pos),
     hit AS (
       SELECT DISTINCT user_agent FROM document_requests
       WHERE user_agent IS NOT NULL AND regexp_matches(user_agent, $combined)
     )
     SELECT h.user_agent, arg_min(p.pattern, p.pos) AS crawler
     FROM hit h JOIN p ON regexp_matches(h.user_agent, p.pattern)
     GROUP BY h.user_agent`,
    { patterns, combined: patterns.map((p) => `(?:${p})`).join('|') },
  );
}

export interface CrawlerTotals {
  /** Whether the case says `exclude: {crawlers: true}`: then these accesses are not in the figures. */
  readonly excluded: boolean;
  /** Counted (or, when excluded, left-out) unauthorized accesses with a known crawler's user agent. */
  readonly accesses: number;
  /** Distinct actors (account, or client IP when anonymous) among them. */
  readonly actors: number;
  readonly by_crawler: readonly { readonly crawler: string; readonly accesses: number }[];
  readonly list: string;
}

/**
 * Totals the crawler accesses of `unauthorized` (which carries `crawler` from crawler_agents), then,
 * when the case excludes crawlers, deletes them: the figures are computed after this.
 */
export async function settleCrawlers(store: Store, excluded: boolean): Promise<CrawlerTotals> {
  const t = await store.one<{ accesses: number; actors: number }>(
    `SELECT count(*) AS accesses, count(DISTINCT (account IS NULL, coalesce(account, client_ip))) AS actors FROM unauthorized WHERE crawler IS NOT NULL`,
  );
  const by = await store.all<{ crawler: string; accesses: number }>(
    'SELECT crawler, count(*) AS accesses FROM unauthorized WHERE crawler IS NOT NULL GROUP BY crawler ORDER BY accesses DESC, crawler LIMIT 10',
  );
  if (excluded) await store.run('DELETE FROM unauthorized WHERE crawler IS NOT NULL');
  return { excluded, accesses: t.accesses, actors: t.actors, by_crawler: by, list: CRAWLER_LIST };
}

/** The sentence every renderer states: what was found and whether it counts. */
export function crawlerSentence(c: CrawlerTotals): string {
  if (c.accesses === 0) return `No unauthorized access came with a known crawler's user agent (${c.list}).`;
  const what = `${c.accesses} unauthorized ${c.accesses === 1 ? 'access' : 'accesses'} by ${c.actors} ${c.actors === 1 ? 'actor' : 'actors'} came with a known crawler's user agent (${c.by_crawler.map((b) => `${b.crawler} ${b.accesses}`).join(', ')})`;
  return c.excluded
    ? `${what}: left out of the figures, as the case says (exclude: {crawlers: true}).`
    : `${what}: they are counted in the figures (the case does not exclude crawlers; exclude: {crawlers: true} would leave them out).`;
}
