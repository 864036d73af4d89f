import { SourceWatcher } from '../dashboard/source-watcher.js';
import { runDashboard } from '../dashboard/run-dashboard.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { Store } from '../db/store.js';
import { openCase, storeDir } from './open-case.js';

export async function dashboardCommand(casePath: string, o: { db?: string; follow?: boolean }): Promise<void> {
  const opened = await openCase(casePath, o.db, { shared: !o.follow });
  const caseFile = opened.caseFile;
  let store = opened.store;
  try {
    // Taken before the first ingest, so that lines written while it runs are read next.
    const watcher = o.follow && process.stdout.isTTY ? new SourceWatcher(caseFile) : undefined;
    await ingestCase(store, caseFile, Progress.forStderr());
    if (!o.follow && !store.readOnly) {
      // Without --follow nothing more is stored: the store is reopened to read only, so that
      // analyze and report can run beside the dashboard.
      store.close();
      store = await Store.open(storeDir(caseFile, o.db), { readOnly: true });
      await ingestCase(store, caseFile);
    }
    await runDashboard({ caseFile, store, watcher, stdout: process.stdout, stdin: process.stdin });
  } finally {
    store.close();
  }
}
