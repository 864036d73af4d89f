import type { Analysis } from '../analyze/analysis.js';
import type { BucketUnit } from '../report/timeline-buckets.js';
import type { ActorIp, ActorRow, ActorSession } from '../analyze/actors.js';

/** The window an analysis runs over; an open side is undefined, as in the case file. */
export interface AnalysisWindow {
  readonly from: Date | undefined;
  readonly to: Date | undefined;
}

export const PANELS = ['ips', 'accounts', 'documents', 'detectors'] as const;
export const KEY_PANELS = ['ips', 'accounts', 'documents'] as const;
/** Rows each top panel holds: `analyze` computes that many; the panel scrolls through them. */
export const TOP_ROWS = 30;
export type PanelId = (typeof PANELS)[number];
export type KeyPanel = (typeof KEY_PANELS)[number];

/** A row of a top panel: the columns `analyze` prints for that key, less the per-key subjects. */
export interface PanelRow {
  readonly key: string;
  readonly accesses: number;
  readonly documents: number;
  readonly ips: number;
  readonly accounts: number;
}

/** Unauthorized accesses per time bucket: `counts[i]` covers `step` units from `start` + i * step units. */
export interface Timeline {
  /** Chosen from the span as the report's timeline chooses it (report/timeline-buckets.ts). */
  readonly unit: BucketUnit;
  readonly step: number;
  /** ISO instant (UTC) of the first bucket's start. */
  readonly start: string;
  readonly counts: readonly number[];
  /** Coverage gaps inside the span (any source's), as ISO instants: drawn as ░ where no log was kept. */
  readonly gaps: readonly { readonly from: string; readonly to: string }[];
}

/** What every refresh produces at once: the analysis `analyze` prints, and the timeline over it. */
export interface Snapshot {
  readonly analysis: Analysis;
  readonly timeline: Timeline | undefined;
}

/** What a drill-down lists: the events behind one row of a panel. */
export interface Target {
  readonly panel: PanelId;
  readonly key: string;
}

export interface EventRow {
  readonly event_id: number;
  /** UTC, `YYYY-MM-DD HH:MM:SS`, or null when the line had no time. */
  readonly time: string | null;
  readonly client_ip: string | null;
  readonly account: string | null;
  readonly document: string | null;
  readonly status: number | null;
  readonly detectors: string;
}

export interface EventsPage {
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly EventRow[];
}

export interface EventDetail {
  readonly event_id: number;
  readonly file: string;
  readonly line: number;
  readonly sha256: string;
  readonly source: string;
  readonly raw: string;
  /** ISO instant (UTC), or null. */
  readonly time: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly status: number | null;
  readonly user_agent: string | null;
  readonly client_ip: string | null;
  readonly socket_ip: string | null;
  readonly forwarded_for: string | null;
  readonly account: string | null;
  readonly account_via: string | null;
  readonly document: string | null;
  readonly authorized_by: string | null;
  readonly findings: readonly { readonly detector: string; readonly counts_as: string; readonly reason: string }[];
}

/** An actor's timeline (actor view): the account, or the anonymous client IP, behind a panel row. */
export interface ActorDetail {
  readonly actor: ActorRow;
  readonly sessions: readonly ActorSession[];
  readonly ips: readonly ActorIp[];
  /** From the IP panel: the accounts that made unauthorized accesses from that IP (besides its anonymous actor). */
  readonly accountsFromIp: readonly string[];
}

/** The follow loop's state, shown in the header. */
export interface IngestState {
  readonly following: boolean;
  /** Local clock time of the last refresh, `HH:MM:SS`. */
  readonly updated: string | undefined;
  readonly error: string | undefined;
}

/**
 * Everything the dashboard reads, behind one interface: the store-backed implementation runs SQL
 * over the tables `analyzeCase` leaves behind; frame tests pass canned data instead.
 */
export interface DashboardSource {
  /** Reads new and grown log files into the store; resolves to an error message, if any. */
  ingest(): Promise<string | undefined>;
  snapshot(window: AnalysisWindow): Promise<Snapshot>;
  /** Top rows of a key panel whose key contains `text` (case-insensitive). */
  topMatching(panel: KeyPanel, text: string, limit: number): Promise<readonly PanelRow[]>;
  events(target: Target, filter: string, offset: number, limit: number): Promise<EventsPage>;
  event(eventId: number): Promise<EventDetail | undefined>;
  /** The actor behind a row of the IP or account panel; undefined when it has no unauthorized access. */
  actor(panel: 'ips' | 'accounts', key: string): Promise<ActorDetail | undefined>;
}
