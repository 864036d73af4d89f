import type { CaseFile } from '../case/case-file.js';
import type { Row, Store } from '../db/store.js';
import { analyzeCase, type Analysis } from '../analyze/analysis.js';
import { ingestCase } from '../ingest/ingest.js';
import { quoteLines } from '../ingest/quoted-lines.js';
import { chooseBucket, UNIT_MS, type BucketUnit } from '../report/timeline-buckets.js';
import { actorDetail, buildActors } from '../analyze/actors.js';
import { UserError } from '../util/user-error.js';
import { TOP_ROWS, type AnalysisWindow, type ActorDetail, type DashboardSource, type EventDetail, type EventRow, type EventsPage, type KeyPanel, type PanelRow, type Snapshot, type Target, type Timeline } from './dashboard-source.js';

/** Identifiers for the key panels: fixed names, never text from a person or a log. */
const KEY_COLUMN: Record<KeyPanel, 'client_ip' | 'account' | 'document'> = { ips: 'client_ip', accounts: 'account', documents: 'document' };

const TIME = `'%Y-%m-%d %H:%M:%S'`;

/**
 * The dashboard's data, read from the case store. Figures come from `analyzeCase`, the same call
 * `analyze` makes; drill-downs page through the temp tables it leaves (`unauthorized`,
 * `findings`, `document_requests`) with bound parameters, one page at a time.
 */
export class DashboardData implements DashboardSource {
  private queue: Promise<unknown> = Promise.resolve();
  /** The analysis the temp tables hold, and whether its actor tables are built (on the first actor view). */
  private analysis: Analysis | undefined;
  private actorsBuilt = false;
  /** Whether `quoted_lines` holds the text of the lines of this analysis's findings (read on the first event view). */
  private quoted = false;

  constructor(
    private readonly store: Store,
    private readonly caseFile: CaseFile,
  ) {}

  /** One piece of work at a time on the one connection: a refresh rebuilds the tables a page reads. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  ingest(): Promise<string | undefined> {
    return this.serial(async () => {
      try {
        await ingestCase(this.store, this.caseFile);
        return undefined;
      } catch (e) {
        return e instanceof UserError ? e.messages.map((m) => m.what).join('; ') : (e as Error).message;
      }
    });
  }

  snapshot(window: AnalysisWindow): Promise<Snapshot> {
    return this.serial(async () => {
      const analysis = await analyzeCase(this.store, { ...this.caseFile, window }, TOP_ROWS);
      this.analysis = analysis;
      this.actorsBuilt = false;
      this.quoted = false;
      return { analysis, timeline: await this.timeline(analysis, window) };
    });
  }

  private async timeline(analysis: Analysis, window: AnalysisWindow): Promise<Timeline | undefined> {
    const s = analysis.summary;
    const from = window.from ?? (s.first_access ? new Date(s.first_access) : undefined);
    const to = window.to ?? (s.last_access ? new Date(new Date(s.last_access).getTime() + 1000) : undefined);
    if (!from || !to || from >= to) return undefined;
    const plan = planTimeline(from, to);
    const stepMs = plan.step * UNIT_MS[plan.unit];
    const rows = await this.store.all<{ b: number; n: number }>(
      `SELECT CAST(floor((epoch_ms(time) - $t0) / $step) AS BIGINT) AS b, count(*) AS n
       FROM unauthorized WHERE time >= $from::TIMESTAMPTZ AND time < $to::TIMESTAMPTZ GROUP BY b`,
      { t0: plan.start.getTime(), step: stepMs, from: plan.start, to: new Date(plan.start.getTime() + plan.buckets * stepMs) },
    );
    const counts = Array.from({ length: plan.buckets }, () => 0);
    for (const r of rows) if (r.b >= 0 && r.b < counts.length) counts[r.b] = r.n;
    const gaps = analysis.coverage.sources.flatMap((c) => c.gaps.map((g) => ({ from: g.from, to: g.to })));
    return { unit: plan.unit, step: plan.step, start: plan.start.toISOString().replace('.000Z', 'Z'), counts, gaps };
  }

  topMatching(panel: KeyPanel, text: string, limit: number): Promise<readonly PanelRow[]> {
    const col = KEY_COLUMN[panel];
    return this.serial(() =>
      this.store.all<PanelRow & Row>(
        // The same grouping and order as analyze's top lists, restricted to keys holding the text.
        `SELECT ${col} AS key, count(*) AS accesses, count(DISTINCT document) AS documents, count(DISTINCT client_ip) AS ips,
           count(DISTINCT account) AS accounts
         FROM unauthorized WHERE ${col} IS NOT NULL AND contains(lower(${col}), lower($q))
         GROUP BY ${col} ORDER BY accesses DESC, key LIMIT $n`,
        { q: text, n: limit },
      ),
    );
  }

  events(target: Target, filter: string, offset: number, limit: number): Promise<EventsPage> {
    const base =
      target.panel === 'detectors'
        ? `SELECT f.event_id, coalesce(r.time, f.event_time) AS time, coalesce(r.client_ip, f.client_ip) AS client_ip,
             CASE WHEN r.event_id IS NULL THEN f.actor ELSE r.account END AS account, coalesce(r.document, f.document) AS document, r.status, r.path, r.user_agent,
             f.detector AS detectors
           FROM findings f LEFT JOIN document_requests r ON r.event_id = f.event_id WHERE f.detector = $key`
        : `SELECT event_id, time, client_ip, account, document, status, path, user_agent, array_to_string(detectors, ', ') AS detectors
           FROM unauthorized WHERE ${KEY_COLUMN[target.panel]} = $key`;
    const matching = `FROM (${base}) WHERE $q = '' OR contains(lower(concat_ws(' ', strftime(time, ${TIME}), client_ip, account, document,
      CAST(status AS VARCHAR), path, user_agent, detectors)), lower($q))`;
    return this.serial(async () => {
      const { total } = await this.store.one<{ total: number }>(`SELECT count(*) AS total ${matching}`, { key: target.key, q: filter });
      const rows = await this.store.all<EventRow & Row>(
        `SELECT event_id, strftime(time, ${TIME}) AS time, client_ip, account, document, status, detectors
         ${matching} ORDER BY time NULLS LAST, event_id LIMIT $limit OFFSET $offset`,
        { key: target.key, q: filter, limit, offset },
      );
      return { total, offset, rows };
    });
  }

  event(eventId: number): Promise<EventDetail | undefined> {
    return this.serial(async () => {
      await this.quote(eventId);
      const [e] = await this.store.all<Omit<EventDetail, 'findings'> & Row>(
        `SELECT e.event_id, f.path AS file, e.line, f.sha256, e.source, l.raw, strftime(e.time, '%Y-%m-%dT%H:%M:%SZ') AS time,
           e.method, e.path, e.status, e.user_agent, coalesce(r.client_ip, e.client_ip) AS client_ip, e.client_ip AS socket_ip,
           e.forwarded_for, coalesce(r.account, e.account) AS account, r.account_via, coalesce(r.document, e.document) AS document,
           r.authorized_by
         FROM events e JOIN case_segments s ON s.file_id = e.file_id JOIN case_chain_file f ON f.chain_id = s.chain_id
         JOIN quoted_lines l ON l.file_id = e.file_id AND l.line = e.line
         LEFT JOIN document_requests r ON r.event_id = e.event_id
         WHERE e.event_id = $id::BIGINT`,
        { id: eventId },
      );
      if (!e) return undefined;
      const findings = await this.store.all<EventDetail['findings'][number] & Row>(
        'SELECT detector, counts_as, reason FROM findings WHERE event_id = $id::BIGINT ORDER BY detector',
        { id: eventId },
      );
      return { ...e, findings };
    });
  }

  /**
   * The text of the event's line, and of every finding's line with it: one read of a log file
   * serves the event views that follow (reading a file again per view would take seconds on a
   * large log).
   */
  private async quote(eventId: number): Promise<void> {
    if (this.quoted) {
      const [held] = await this.store.all(
        'SELECT 1 FROM events e JOIN quoted_lines q ON q.file_id = e.file_id AND q.line = e.line WHERE e.event_id = $id::BIGINT',
        { id: eventId },
      );
      if (held) return;
    }
    await quoteLines(this.store, 'SELECT file_id, line FROM events WHERE event_id = $id::BIGINT OR event_id IN (SELECT event_id FROM findings)', { id: eventId });
    this.quoted = true;
  }

  actor(panel: 'ips' | 'accounts', key: string): Promise<ActorDetail | undefined> {
    return this.serial(async () => {
      if (!this.analysis) return undefined;
      if (!this.actorsBuilt) await buildActors(this.store, this.analysis.detectors);
      this.actorsBuilt = true;
      return actorOf(this.store, panel, key);
    });
  }
}

/** Sessions and client IPs an actor view loads. */
const ACTOR_ROWS = 200;

/** The actor behind a panel row: the account; for an IP its anonymous actor, else the busiest account seen from it. */
async function actorOf(store: Store, panel: 'ips' | 'accounts', key: string): Promise<ActorDetail | undefined> {
  if (panel === 'accounts') {
    const d = (await actorDetail(store, key, ACTOR_ROWS)).find((x) => x.actor.kind === 'account');
    return d && { ...d, accountsFromIp: [] };
  }
  const accounts = (
    await store.all<{ account: string }>(
      `SELECT account FROM unauthorized WHERE client_ip = $ip AND account IS NOT NULL GROUP BY account ORDER BY count(*) DESC, account LIMIT $n`,
      { ip: key, n: ACTOR_ROWS },
    )
  ).map((r) => r.account);
  const anonymous = (await actorDetail(store, key, ACTOR_ROWS)).find((x) => x.actor.kind === 'ip');
  const d = anonymous ?? (accounts[0] === undefined ? undefined : (await actorDetail(store, accounts[0], ACTOR_ROWS)).find((x) => x.actor.kind === 'account'));
  return d && { ...d, accountsFromIp: accounts };
}

/** Monday 1970-01-05: week buckets start on Mondays, as the report's do. */
const FIRST_MONDAY_MS = 4 * UNIT_MS.day;

/** Buckets for a span, with the report's bucket choice (minute, hour, day or week), cut in UTC. */
export function planTimeline(from: Date, to: Date): { unit: BucketUnit; step: number; start: Date; buckets: number } {
  const { unit, step } = chooseBucket(to.getTime() - from.getTime());
  const width = step * UNIT_MS[unit];
  const origin = unit === 'week' ? FIRST_MONDAY_MS : 0;
  const start = Math.floor((from.getTime() - origin) / width) * width + origin;
  return { unit, step, start: new Date(start), buckets: Math.max(1, Math.ceil((to.getTime() - start) / width)) };
}
