import { SourceWatcher } from '../dashboard/source-watcher.js';
import { runDashboard } from '../dashboard/run-dashboard.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { openCase } from './open-case.js';

export async function dashboardCommand(casePath: string, o: { db?: string; follow?: boolean }): Promise<void> {
  const { caseFile, store } = await openCase(casePath, o.db);
  try {
    // Taken before the first ingest, so that lines written while it runs are read next.
    const watcher = o.follow && process.stdout.isTTY ? new SourceWatcher(caseFile) : undefined;
    await ingestCase(store, caseFile, Progress.forStderr());
    await runDashboard({ caseFile, store, watcher, stdout: process.stdout, stdin: process.stdin });
  } finally {
    store.close();
  }
}
