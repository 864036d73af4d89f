// Canned data for frame tests: the shapes the data layer returns, with the sample's figures, so
// frames render without DuckDB and without timing.
import type { Analysis, TopRow } from '../../src/analyze/analysis.js';
import type { ActorDetail, DashboardSource, EventDetail, EventRow, EventsPage, KeyPanel, PanelRow, Snapshot, Target } from '../../src/dashboard/dashboard-source.js';
import { initialState, type DashboardState } from '../../src/dashboard/dashboard-state.js';

/** An account name a hostile log line carries: it retitles the terminal and clears it if printed raw. */
export const HOSTILE_ACCOUNT = '\x1b]2;pwned\x07\x1b[2J';

const top = (key: string, accesses: number, documents: number, ips: number, accounts: number): TopRow => ({
  key,
  accesses,
  documents,
  ips,
  accounts,
  subjects: documents,
  first: '2015-03-16T19:41:43Z',
  last: '2015-04-02T17:35:15Z',
});

export function analysis(over: Partial<Analysis['summary']> = {}): Analysis {
  return {
    case: 'Ticketviewer exposure 2015',
    window: { from: '2015-03-16T00:00:00Z', to: '2015-04-13T00:00:00Z' },
    summary: {
      unauthorized_accesses: 235,
      documents: 119,
      unique_ips: 36,
      affected_subjects: 71,
      accounts: 7,
      anonymous_accesses: 115,
      first_access: '2015-03-16T00:00:00Z',
      last_access: '2015-04-12T23:59:59Z',
      subjects_from: 'subjects file',
      tiers: { confirmed: 235, partial: 0 },
      ...over,
    },
    at_risk: { documents: 420, people: 307, definition: 'every document in the owners file' },
    notification: { aware_at: null, reported_at: '2015-04-20T12:00:00Z', hours_to_notify: null, people_by_category: [], people_by_country: [] },
    context: { document_requests: 900, disclosures_in_window: 551, authorized_disclosures: 310, unknown_document_disclosures: 6, attempts: 8, outside_window_disclosures: 14, reference: { owners: 400, documents: 400, subjects: 300, grants: 0 } },
    top: {
      ips: [top('203.0.113.7', 33, 28, 1, 1), top('198.51.100.23', 24, 18, 1, 1), top('203.0.113.102', 24, 16, 1, 0), top('203.0.113.88', 23, 20, 1, 1), top('198.51.100.9', 11, 6, 1, 0), top('2001:db8:85a3::8a2e:370:7334', 10, 9, 1, 0), top('203.0.113.19', 9, 6, 1, 1)],
      accounts: [top('M104233', 52, 40, 2, 1), top('M118840', 24, 18, 1, 1), top(HOSTILE_ACCOUNT, 1, 1, 1, 1)],
      documents: [top('IT40561310', 11, 1, 11, 2), top('IT40561309', 7, 1, 7, 1), top('IT40561315', 6, 1, 5, 2)],
    },
    ingest: {
      lines: 2606,
      events: 2603,
      rejected_lines: 3,
      files: ['logs/access.log', 'logs/access.log.1', 'logs/access.log.2.gz'].map((path, i) => ({
        source: 'web', path, counted_with: null, format: 'combined', sha256: `${i}`.repeat(64), first_line: 1, lines: 868, comment_lines: 0, events: 867, rejected: 1,
        first_time: null, last_time: null, warnings: [], reject_examples: [],
      })),
    },
    coverage: { from: '2015-03-16T00:00:00Z', to: '2015-04-13T00:00:00Z', gap_hours: 6, sources: [] },
    warnings: [],
    crawlers: { excluded: false, accesses: 0, actors: 0, by_crawler: [], list: 'reference/crawler-user-agents.txt' },
    detectors: [
      { id: 'anonymous_document_access', title: 'Anonymous document access', counts_as: 'disclosure', level: 'high', findings: 115, error: null, file: 'queries/anonymous_document_access.sql', line: null },
      { id: 'cross_account_document_access', title: 'Cross-account document access', counts_as: 'disclosure', level: 'high', findings: 120, error: null, file: 'queries/cross_account_document_access.sql', line: null },
      { id: 'document_access_attempts', title: 'Refused attempts', counts_as: 'attempt', level: 'medium', findings: 8, error: null, file: 'queries/document_access_attempts.sql', line: null },
      { id: 'document_id_enumeration', title: 'Enumeration', counts_as: 'context', level: 'high', findings: 132, error: null, file: 'queries/document_id_enumeration.sql', line: null },
      { id: 'broken_detector', title: 'Broken', counts_as: 'context', level: 'low', findings: null, error: 'Parser Error: syntax error at or near "SELEC"', file: 'queries/broken_detector.sql', line: 3 },
    ],
  };
}

/** 28 days of counts that add up to the sample's 235. */
export const DAILY = [9, 3, 14, 6, 22, 2, 8, 12, 6, 5, 4, 19, 3, 9, 15, 0, 20, 6, 11, 10, 17, 8, 4, 10, 3, 8, 1, 0];

export function snapshot(over: Partial<Analysis['summary']> = {}): Snapshot {
  return { analysis: analysis(over), timeline: { unit: 'day', step: 1, start: '2015-03-16T00:00:00Z', counts: DAILY, gaps: [] } };
}

export function eventRows(n: number, offset = 0): EventRow[] {
  return Array.from({ length: n }, (_, i) => {
    const k = offset + i;
    return {
      event_id: 1_000_000_000_000 + 374 + k,
      time: `2015-03-${String(16 + Math.floor(k / 10)).padStart(2, '0')} 19:${String(40 + (k % 10)).padStart(2, '0')}:43`,
      client_ip: '203.0.113.7',
      account: k === 2 ? HOSTILE_ACCOUNT : 'M104233',
      document: `IT405613${String(8 + k).padStart(2, '0')}`,
      status: 200,
      detectors: 'cross_account_document_access',
    };
  });
}

export function detail(eventId: number): EventDetail {
  return {
    event_id: eventId,
    file: 'logs/access.log.2.gz',
    line: eventId - 1_000_000_000_000,
    sha256: '37095a5afe8bb8d84ffddaa2e094aaa07cbe827e6f9ba59262e6b886d387fe2a',
    source: 'web',
    raw: `203.0.113.7 - M104233 [16/Mar/2015:19:41:43 +0000] "GET /tickets/IT40561308/image HTTP/1.1" 200 81435 "-" "Evil\x1b]2;pwned-ua\x07\x1b[31mRED\x9b2J"`,
    time: '2015-03-16T19:41:43Z',
    method: 'GET',
    path: '/tickets/IT40561308/image',
    status: 200,
    user_agent: 'Evil\x1b]2;pwned-ua\x07\x1b[31mRED\x9b2J',
    client_ip: '203.0.113.7',
    socket_ip: '10.0.0.5',
    forwarded_for: '203.0.113.7',
    account: 'M104233',
    account_via: 'session',
    document: 'IT40561308',
    authorized_by: null,
    findings: [{ detector: 'cross_account_document_access', counts_as: 'disclosure', reason: 'Account M104233 received document IT40561308, owned by M201111.' }],
  };
}

/** A data source answering from the fixtures, recording what it was asked. */
export class FakeSource implements DashboardSource {
  readonly calls: string[] = [];
  current: Snapshot = snapshot();
  total = 33;

  async ingest(): Promise<string | undefined> {
    this.calls.push('ingest');
    return undefined;
  }
  async snapshot(): Promise<Snapshot> {
    this.calls.push('snapshot');
    return this.current;
  }
  async topMatching(panel: KeyPanel, text: string, limit: number): Promise<readonly PanelRow[]> {
    this.calls.push(`top ${panel} ${text} ${limit}`);
    return this.current.analysis.top[panel].filter((r) => r.key.toLowerCase().includes(text.toLowerCase()));
  }
  async events(target: Target, filter: string, offset: number, limit: number): Promise<EventsPage> {
    this.calls.push(`events ${target.panel} ${target.key} '${filter}' ${offset} ${limit}`);
    return { total: this.total, offset, rows: eventRows(Math.max(0, Math.min(limit, this.total - offset)), offset) };
  }
  async event(eventId: number): Promise<EventDetail | undefined> {
    this.calls.push(`event ${eventId}`);
    return detail(eventId);
  }
  async actor(panel: 'ips' | 'accounts', key: string): Promise<ActorDetail | undefined> {
    this.calls.push(`actor ${panel} ${key}`);
    return key === 'M104233' || key === '203.0.113.7' ? actorDetail(panel === 'ips' ? [HOSTILE_ACCOUNT] : []) : undefined;
  }
}

/** The sample's busiest actor, as actors.ts returns it; `accountsFromIp` as the IP panel gives it. */
export function actorDetail(accountsFromIp: readonly string[] = []): ActorDetail {
  return {
    actor: {
      kind: 'account', actor: 'M104233', accesses: 52, documents: 40, requests: 57, attempts: 3, attempts_before_first_access: 0,
      first_request: '2015-03-16T19:40:28Z', last_request: '2015-04-02T17:35:15Z', first_access: '2015-03-16T19:41:43Z', last_access: '2015-04-02T17:35:15Z',
      sessions: 2, ips: 2, user_agents: 2, crawler_accesses: 0, crawler: null,
      enumeration: { findings: 51, max_documents_in_window: 17, window_minutes: 10, longest_walk: 32 },
    },
    sessions: [
      { session: 1, from: '2015-03-16T19:40:28Z', to: '2015-03-16T19:52:50Z', requests: 19, accesses: 15, attempts: 2, documents: 18, ips: ['203.0.113.7'], user_agents: 1 },
      { session: 2, from: '2015-03-19T12:17:01Z', to: '2015-03-19T12:26:57Z', requests: 18, accesses: 18, attempts: 0, documents: 17, ips: ['203.0.113.88'], user_agents: 1 },
    ],
    ips: [
      { client_ip: '203.0.113.7', requests: 34, asn: 'AS64500', as_org: 'EXAMPLE-NET', country: 'GB', lists: ['tor-exits'] },
      { client_ip: '203.0.113.88', requests: 23, asn: null, as_org: null, country: null, lists: [] },
    ],
    accountsFromIp,
  };
}

export function state(over: Partial<DashboardState> = {}): DashboardState {
  const s = initialState({
    title: 'Ticketviewer exposure 2015',
    zone: 'Europe/London',
    window: { from: new Date('2015-03-16T00:00:00Z'), to: new Date('2015-04-13T00:00:00Z') },
    size: { columns: 80, rows: 24 },
    following: true,
  });
  return { ...s, snapshot: snapshot(), ingest: { following: true, updated: '12:00:00', error: undefined }, ...over };
}
