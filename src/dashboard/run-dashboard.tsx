import { render, renderToString } from 'ink';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { Dashboard } from './components/Dashboard.js';
import { DashboardApp } from './components/DashboardApp.js';
import { DashboardController } from './dashboard-controller.js';
import { DashboardData } from './dashboard-data.js';
import { initialState } from './dashboard-state.js';
import type { SourceWatcher } from './source-watcher.js';

/** Alternate screen: the dashboard draws on its own screen, and quitting brings back the shell's. */
const ENTER_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_SCREEN = '\x1b[?1049l';
/** Signals that end the dashboard as `q` does (Ctrl+C is a key while the terminal is raw). */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface DashboardRun {
  readonly caseFile: CaseFile;
  readonly store: Store;
  /** Watching the source files (`--follow`), started once the dashboard shows. */
  readonly watcher: SourceWatcher | undefined;
  readonly stdout: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/**
 * Shows the dashboard until `q`. The store has been ingested already; the first frame waits for
 * the analysis so it never shows empty figures. When stdout is not a terminal, one frame is
 * printed and the function returns.
 */
export async function runDashboard({ caseFile, store, watcher, stdout, stdin }: DashboardRun): Promise<void> {
  const interactive = stdout.isTTY === true;
  const size = { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const controller = new DashboardController(
    new DashboardData(store, caseFile),
    initialState({ title: caseFile.title, zone: caseFile.timezone, window: caseFile.window, size, following: interactive && watcher !== undefined }),
  );
  await controller.refresh({ ingest: false });
  if (!interactive) {
    stdout.write(`${renderToString(<Dashboard state={controller.getState()} />, { columns: size.columns })}\n`);
    return;
  }

  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    stdout.write(LEAVE_SCREEN);
  };
  stdout.write(ENTER_SCREEN);
  process.once('exit', leave);
  const app = render(<DashboardApp controller={controller} fitTerminal />, {
    stdout,
    stdin,
    exitOnCtrlC: false,
    patchConsole: true,
    // Ink 6's incremental mode starts a line low under a frame that ends in a newline, and the
    // screen scrolls; each frame is one write (synchronized where the terminal supports it).
    incrementalRendering: false,
  });
  const stop = () => app.unmount();
  for (const signal of SIGNALS) process.once(signal, stop);
  watcher?.start(() => void controller.refresh({ ingest: true }));
  try {
    await app.waitUntilExit();
  } finally {
    watcher?.close();
    for (const signal of SIGNALS) process.off(signal, stop);
    leave();
    process.off('exit', leave);
    // The store closes after this returns: stop the analysis in flight, if any (minutes on a
    // large case), instead of waiting for it. An ingest stopped so is rolled back, file by file.
    controller.close();
    store.interrupt();
    await controller.idle();
  }
}
