import { KEY_PANELS, TOP_ROWS, type ActorDetail, type DashboardSource, type EventDetail, type EventsPage, type KeyPanel, type PanelRow } from './dashboard-source.js';
import { ANALYSING, PAGE_ROWS, neededOffset, panelRows, reduceKey, type Command, type DashboardState, type EventsView, type KeyInput, type View } from './dashboard-state.js';
import { listRows, pageTop, type Size } from './layout.js';

type Listener = () => void;

/**
 * Holds the dashboard's state and runs the data work keys and file changes ask for, one task at
 * a time. Each task folds its results into the state in one step, so a refresh is one render.
 */
export class DashboardController {
  private state: DashboardState;
  private readonly listeners = new Set<Listener>();
  private chain: Promise<void> = Promise.resolve();
  private refreshWaiting = false;
  private ingestWaiting = false;
  private closed = false;

  constructor(
    private readonly source: DashboardSource,
    initial: DashboardState,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.state = initial;
  }

  readonly getState = (): DashboardState => this.state;

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Resolves once every task queued so far has run. */
  idle(): Promise<void> {
    return this.chain;
  }

  key(input: string, key: KeyInput): void {
    // Keys typed (or sent) faster than they are read arrive as one string: split it into keys.
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const [text, k] of splitKeys(input)) this.key(text, k);
      return;
    }
    const { state, command } = reduceKey(this.state, input, key);
    this.set(state);
    if (command) void this.run(command);
  }

  resize(size: Size): void {
    if (size.columns === this.state.size.columns && size.rows === this.state.size.rows) return;
    this.set({ ...this.state, size });
    this.loadTopIfNeeded();
  }

  /** Loads the page the top list needs after its selection or the screen changed. */
  private loadTopIfNeeded(): void {
    const top = this.state.stack[this.state.stack.length - 1];
    if (top?.kind === 'events' && top.page && neededOffset(top, this.state.size) !== undefined) void this.run({ kind: 'load-view', viewId: top.id });
  }

  /**
   * Ingests (when asked), re-runs the analysis and reloads what every view shows. Requests that
   * come while one waits join it: a burst of appended lines costs one refresh, not one per line.
   */
  refresh(o: { ingest: boolean }): Promise<void> {
    if (o.ingest) this.ingestWaiting = true;
    if (this.refreshWaiting) return this.chain;
    this.refreshWaiting = true;
    return this.enqueue(async () => {
      this.refreshWaiting = false;
      const ingest = this.ingestWaiting;
      this.ingestWaiting = false;
      const error = ingest ? await this.source.ingest() : this.state.ingest.error;
      const start = this.state;
      const snapshot = await this.source.snapshot(start.window);
      const filtered = new Map<KeyPanel, { filter: string; rows: readonly PanelRow[] }>();
      for (const p of KEY_PANELS) {
        const filter = start.panels[p].filter;
        if (filter) filtered.set(p, { filter, rows: await this.source.topMatching(p, filter, TOP_ROWS) });
      }
      const loaded = new Map<number, Loaded>();
      for (const v of start.stack) loaded.set(v.id, await this.load(v, start.size));
      this.update((s) => {
        if (s.window !== start.window) return s; // a newer window's analysis is queued behind this one
        let panels = s.panels;
        for (const [p, f] of filtered) if (panels[p].filter === f.filter) panels = { ...panels, [p]: { ...panels[p], filtered: f.rows } };
        const next: DashboardState = {
          ...s,
          snapshot,
          panels,
          ingest: { ...s.ingest, updated: this.clock().toTimeString().slice(0, 8), error },
          message: s.message === ANALYSING ? undefined : s.message,
          stack: s.stack.map((v) => (loaded.has(v.id) ? withLoaded(v, loaded.get(v.id)!) : v)),
        };
        return clampSelections(next);
      });
      this.loadTopIfNeeded();
    });
  }

  private run(command: Command): Promise<void> {
    if (command.kind === 'reanalyze') return this.refresh({ ingest: false });
    if (command.kind === 'filter-panel') {
      const panel = command.panel as KeyPanel;
      return this.enqueue(async () => {
        const filter = this.state.panels[panel].filter;
        const rows = await this.source.topMatching(panel, filter, TOP_ROWS);
        this.update((s) => (s.panels[panel].filter === filter ? { ...s, panels: { ...s.panels, [panel]: { ...s.panels[panel], filtered: rows } } } : s));
      });
    }
    return this.enqueue(async () => {
      const view = this.state.stack.find((v) => v.id === command.viewId);
      if (!view) return;
      const result = await this.load(view, this.state.size);
      this.update((s) => clampSelections({ ...s, stack: s.stack.map((v) => (v.id === view.id && sameQuery(v, view) ? withLoaded(v, result) : v)) }));
      this.loadTopIfNeeded();
    });
  }

  private async load(view: View, size: Size): Promise<Loaded> {
    if (view.kind === 'event') return (await this.source.event(view.eventId)) ?? null;
    if (view.kind === 'actor') return (await this.source.actor(view.panel, view.key)) ?? null;
    const visible = listRows(size);
    const offset = neededOffset(view, size) ?? pageTop(view.selected, visible);
    return this.source.events(view.target, view.filter, offset, Math.max(PAGE_ROWS, visible));
  }

  /** Runs no further work; what runs now finishes (or is interrupted by the caller). */
  close(): void {
    this.closed = true;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(() => (this.closed ? undefined : work())).catch((e: unknown) => this.set({ ...this.state, message: `error: ${(e as Error).message.split('\n')[0]}` }));
    this.chain = run;
    return run;
  }

  private update(f: (s: DashboardState) => DashboardState): void {
    this.set(f(this.state));
  }

  private set(next: DashboardState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
}

const CONTROL_KEYS: Record<string, KeyInput> = { '\r': { return: true }, '\n': { return: true }, '\t': { tab: true }, '\x7f': { backspace: true }, '\b': { backspace: true } };

/** A burst of input as keys: Enter, Tab and Backspace on their own, other characters one by one. */
export function splitKeys(input: string): [string, KeyInput][] {
  return [...input].map((c) => (CONTROL_KEYS[c] ? ['', CONTROL_KEYS[c]] : [c, {}]));
}

function sameQuery(a: View, b: View): boolean {
  return a.kind === 'events' && b.kind === 'events' ? a.filter === b.filter : a.kind === b.kind;
}

type Loaded = EventsPage | EventDetail | ActorDetail | null;

function withLoaded(v: View, result: Loaded): View {
  if (v.kind === 'event') return { ...v, detail: result as EventDetail | null };
  if (v.kind === 'actor') return { ...v, detail: result as ActorDetail | null };
  return { ...v, page: result as EventsPage };
}

/** Keeps each selection on a row that exists after the rows changed. */
function clampSelections(s: DashboardState): DashboardState {
  let panels = s.panels;
  for (const p of ['ips', 'accounts', 'documents', 'detectors'] as const) {
    const n = panelRows(s, p).length;
    if (panels[p].selected > Math.max(0, n - 1)) panels = { ...panels, [p]: { ...panels[p], selected: Math.max(0, n - 1) } };
  }
  const stack = s.stack.map((v): View => {
    if (v.kind !== 'events' || !v.page) return v;
    const last = Math.max(0, v.page.total - 1);
    return v.selected > last ? ({ ...v, selected: last } as EventsView) : v;
  });
  return { ...s, panels, stack };
}
