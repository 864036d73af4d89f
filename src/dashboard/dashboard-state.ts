import type { Key } from 'ink';
import { parseIsoTime } from '../case/case-file.js';
import { PANELS, type ActorDetail, type AnalysisWindow, type EventDetail, type EventsPage, type IngestState, type PanelId, type PanelRow, type Snapshot, type Target } from './dashboard-source.js';
import { listRows, pageTop, panelBodyRows, type Size } from './layout.js';

export interface PanelState {
  readonly selected: number;
  readonly filter: string;
  /** Rows matching the filter, queried when it is set; without one the panel shows the analysis' top list. */
  readonly filtered: readonly PanelRow[] | undefined;
}

export interface EventsView {
  readonly kind: 'events';
  readonly id: number;
  readonly target: Target;
  readonly filter: string;
  /** Index of the selected event among all that match, not only the loaded page. */
  readonly selected: number;
  readonly page: EventsPage | undefined;
}

export interface EventView {
  readonly kind: 'event';
  readonly id: number;
  readonly eventId: number;
  /** Undefined while loading; null when the event is no longer in the store. */
  readonly detail: EventDetail | null | undefined;
}

/** The actor behind a row of the IP or account panel: its timeline. */
export interface ActorView {
  readonly kind: 'actor';
  readonly id: number;
  readonly panel: 'ips' | 'accounts';
  readonly key: string;
  /** Undefined while loading; null when the row has no actor with an unauthorized access. */
  readonly detail: ActorDetail | null | undefined;
}

export type View = EventsView | EventView | ActorView;

export interface Prompt {
  readonly kind: 'filter' | 'window';
  readonly text: string;
  readonly error: string | undefined;
}

export interface DashboardState {
  readonly title: string;
  /** The case's display time zone, for times shown beside UTC. */
  readonly zone: string | undefined;
  readonly size: Size;
  readonly window: AnalysisWindow;
  readonly snapshot: Snapshot | undefined;
  readonly ingest: IngestState;
  readonly focus: PanelId;
  readonly panels: Readonly<Record<PanelId, PanelState>>;
  /** Drill-down views over the overview, the last on top. */
  readonly stack: readonly View[];
  readonly prompt: Prompt | undefined;
  readonly help: boolean;
  readonly message: string | undefined;
  readonly quit: boolean;
  readonly nextId: number;
}

/** Work a key asks of the data source; the controller runs it and folds the result in. */
export type Command =
  | { readonly kind: 'load-view'; readonly viewId: number }
  | { readonly kind: 'filter-panel'; readonly panel: PanelId }
  | { readonly kind: 'reanalyze' };

export type KeyInput = Partial<Key>;

export const ANALYSING = 'analysing the new window…';

/** Rows to load per page of events: at least a screenful. */
export const PAGE_ROWS = 100;

export function initialState(o: { title: string; zone: string | undefined; window: AnalysisWindow; size: Size; following: boolean }): DashboardState {
  const panel: PanelState = { selected: 0, filter: '', filtered: undefined };
  return {
    title: o.title,
    zone: o.zone,
    size: o.size,
    window: o.window,
    snapshot: undefined,
    ingest: { following: o.following, updated: undefined, error: undefined },
    focus: 'ips',
    panels: { ips: panel, accounts: panel, documents: panel, detectors: panel },
    stack: [],
    prompt: undefined,
    help: false,
    message: undefined,
    quit: false,
    nextId: 1,
  };
}

/** The rows a panel shows: the filtered query's, else the analysis' own top list. */
export function panelRows(s: DashboardState, panel: PanelId): readonly PanelRow[] | readonly DetectorRow[] {
  const a = s.snapshot?.analysis;
  if (!a) return [];
  if (panel === 'detectors') {
    const f = s.panels.detectors.filter.toLowerCase();
    return a.detectors.filter((d) => !f || d.id.toLowerCase().includes(f) || (d.title ?? '').toLowerCase().includes(f));
  }
  if (s.panels[panel].filter) return s.panels[panel].filtered ?? [];
  return panel === 'ips' ? a.top.ips : panel === 'accounts' ? a.top.accounts : a.top.documents;
}

export type DetectorRow = NonNullable<DashboardState['snapshot']>['analysis']['detectors'][number];

export function topView(s: DashboardState): View | undefined {
  return s.stack[s.stack.length - 1];
}

/** The page an events view needs loaded for its selection to show, or undefined when it has it. */
export function neededOffset(view: EventsView, size: Size): number | undefined {
  const visible = listRows(size);
  const top = pageTop(view.selected, visible);
  const p = view.page;
  if (!p) return top;
  const end = Math.min(top + visible, p.total);
  if (top >= p.offset && end <= p.offset + p.rows.length) return undefined;
  return top;
}

function withTop(s: DashboardState, f: (v: View) => View): DashboardState {
  const top = topView(s);
  return top ? { ...s, stack: [...s.stack.slice(0, -1), f(top)] } : s;
}

function withPanel(s: DashboardState, panel: PanelId, f: (p: PanelState) => PanelState): DashboardState {
  return { ...s, panels: { ...s.panels, [panel]: f(s.panels[panel]) } };
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** How far a key moves a selection: by row, by page, or to either end. */
function moveBy(input: string, key: KeyInput, page: number): number | 'start' | 'end' | undefined {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -page;
  if (key.pageDown || input === ' ') return page;
  if (key.home || input === 'g') return 'start';
  if (key.end || input === 'G') return 'end';
  return undefined;
}

function moved(current: number, by: number | 'start' | 'end', length: number): number {
  if (by === 'start') return 0;
  if (by === 'end') return Math.max(0, length - 1);
  return clamp(current + by, 0, Math.max(0, length - 1));
}

export function formatWindow(w: AnalysisWindow): string {
  const iso = (d: Date | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '');
  return `${iso(w.from)} .. ${iso(w.to)}`;
}

/** `from .. to`, either side ISO 8601 or empty for an open end. */
export function parseWindow(text: string): AnalysisWindow | string {
  const parts = text.split('..');
  if (parts.length !== 2) return 'write the window as FROM .. TO (ISO 8601; leave a side empty to leave it open)';
  const [from, to] = parts.map((p) => p.trim()) as [string, string];
  const f = from === '' ? undefined : parseIsoTime(from);
  const t = to === '' ? undefined : parseIsoTime(to);
  if (from !== '' && !f) return `'${from}' is not an ISO 8601 time such as 2015-03-16T00:00:00Z`;
  if (to !== '' && !t) return `'${to}' is not an ISO 8601 time such as 2015-04-13T00:00:00Z`;
  if (f && t && f >= t) return 'the window must end after it starts';
  return { from: f, to: t };
}

/** What a key does: the next state, and the data it needs, if any. Pure: no I/O, no clock. */
export function reduceKey(s: DashboardState, input: string, key: KeyInput): { state: DashboardState; command?: Command } {
  if (key.ctrl && input === 'c') return { state: { ...s, quit: true } };
  if (s.prompt) return promptKey(s, s.prompt, input, key);
  if (s.help) {
    if (input === 'q') return { state: { ...s, quit: true } };
    return { state: { ...s, help: false } };
  }
  const state = { ...s, message: undefined };
  if (input === 'q') return { state: { ...state, quit: true } };
  if (input === '?') return { state: { ...state, help: true } };
  if (input === 'w') return { state: { ...state, prompt: { kind: 'window', text: formatWindow(s.window), error: undefined } } };
  const top = topView(s);
  if (!top) return overviewKey(state, input, key);
  if (key.escape || key.backspace || key.leftArrow) return { state: { ...state, stack: s.stack.slice(0, -1) } };
  if (top.kind !== 'events') return { state };
  if (input === '/') return { state: { ...state, prompt: { kind: 'filter', text: top.filter, error: undefined } } };
  const total = top.page?.total ?? 0;
  const by = moveBy(input, key, listRows(s.size));
  if (by !== undefined) {
    const next = withTop(state, (v) => ({ ...(v as EventsView), selected: moved(top.selected, by, total) }));
    return loadIfNeeded(next);
  }
  if (key.return) {
    const row = top.page?.rows[top.selected - top.page.offset];
    if (!row) return { state };
    const view: EventView = { kind: 'event', id: s.nextId, eventId: row.event_id, detail: undefined };
    return { state: { ...state, stack: [...s.stack, view], nextId: s.nextId + 1 }, command: { kind: 'load-view', viewId: view.id } };
  }
  return { state };
}

function loadIfNeeded(s: DashboardState): { state: DashboardState; command?: Command } {
  const top = topView(s);
  if (top?.kind === 'events' && neededOffset(top, s.size) !== undefined) return { state: s, command: { kind: 'load-view', viewId: top.id } };
  return { state: s };
}

function overviewKey(s: DashboardState, input: string, key: KeyInput): { state: DashboardState; command?: Command } {
  const at = PANELS.indexOf(s.focus);
  if (key.tab || key.rightArrow || key.leftArrow) {
    const step = (key.tab && key.shift) || key.leftArrow ? -1 : 1;
    return { state: { ...s, focus: PANELS[(at + step + PANELS.length) % PANELS.length]! } };
  }
  if (input === '/') return { state: { ...s, prompt: { kind: 'filter', text: s.panels[s.focus].filter, error: undefined } } };
  if (key.escape && s.panels[s.focus].filter) {
    return { state: withPanel(s, s.focus, () => ({ selected: 0, filter: '', filtered: undefined })) };
  }
  const rows = panelRows(s, s.focus);
  const by = moveBy(input, key, panelBodyRows(s.size));
  if (by !== undefined) return { state: withPanel(s, s.focus, (p) => ({ ...p, selected: moved(p.selected, by, rows.length) })) };
  if (input === 'a' && (s.focus === 'ips' || s.focus === 'accounts')) {
    const row = rows[s.panels[s.focus].selected];
    if (!row || !('key' in row)) return { state: s };
    const view: ActorView = { kind: 'actor', id: s.nextId, panel: s.focus, key: row.key, detail: undefined };
    return { state: { ...s, stack: [...s.stack, view], nextId: s.nextId + 1 }, command: { kind: 'load-view', viewId: view.id } };
  }
  if (key.return) {
    const row = rows[s.panels[s.focus].selected];
    if (!row) return { state: s };
    const target: Target = { panel: s.focus, key: 'key' in row ? row.key : row.id };
    const view: EventsView = { kind: 'events', id: s.nextId, target, filter: '', selected: 0, page: undefined };
    return { state: { ...s, stack: [...s.stack, view], nextId: s.nextId + 1 }, command: { kind: 'load-view', viewId: view.id } };
  }
  return { state: s };
}

function promptKey(s: DashboardState, prompt: Prompt, input: string, key: KeyInput): { state: DashboardState; command?: Command } {
  if (key.escape) return { state: { ...s, prompt: undefined } };
  if (key.return) {
    if (prompt.kind === 'window') {
      const w = parseWindow(prompt.text);
      if (typeof w === 'string') return { state: { ...s, prompt: { ...prompt, error: w } } };
      return { state: { ...s, prompt: undefined, window: w, message: ANALYSING }, command: { kind: 'reanalyze' } };
    }
    const text = prompt.text.trim();
    const top = topView(s);
    if (top?.kind === 'events') {
      const next = withTop({ ...s, prompt: undefined }, (v) => ({ ...(v as EventsView), filter: text, selected: 0, page: undefined }));
      return { state: next, command: { kind: 'load-view', viewId: top.id } };
    }
    const next = withPanel({ ...s, prompt: undefined }, s.focus, () => ({ selected: 0, filter: text, filtered: undefined }));
    return { state: next, command: text && s.focus !== 'detectors' ? { kind: 'filter-panel', panel: s.focus } : undefined };
  }
  if (key.backspace || key.delete) return { state: { ...s, prompt: { ...prompt, text: prompt.text.slice(0, -1), error: undefined } } };
  if (key.ctrl && input === 'u') return { state: { ...s, prompt: { ...prompt, text: '', error: undefined } } };
  if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return { state: s };
  // Pasted text may hold control characters; the prompt keeps printable text only.
  // eslint-disable-next-line no-control-regex
  const printable = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return { state: { ...s, prompt: { ...prompt, text: prompt.text + printable, error: undefined } } };
}
