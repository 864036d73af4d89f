import { actorDetail, buildActors, topActors } from '../analyze/actors.js';
import { analyzeCase } from '../analyze/analysis.js';
import { hasIpContext } from '../analyze/ip-context.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { actorsJson, renderActorsText, type ActorsView } from '../report/actors-text.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { EXIT, UserError } from '../util/user-error.js';
import { openCase, printWarnings } from './open-case.js';

export async function actorsCommand(casePath: string, o: { db?: string; json?: boolean; top: number; actor?: string }): Promise<void> {
  const { caseFile, store } = await openCase(casePath, o.db, { shared: true });
  try {
    await ingestCase(store, caseFile, Progress.forStderr());
    const analysis = await analyzeCase(store, caseFile);
    printWarnings(analysis.warnings);
    await buildActors(store, analysis.detectors);
    const { total, actors } = await topActors(store, o.top);
    const details = o.actor === undefined ? [] : await actorDetail(store, o.actor, o.top);
    if (o.actor !== undefined && details.length === 0) {
      throw new UserError(
        { what: `no actor '${terminalSafe(o.actor)}' has an unauthorized access in this case`, help: 'pass an account or, for anonymous access, a client IP as `breachscope actors` lists them' },
        EXIT.usage,
      );
    }
    const view: ActorsView = { total, actors, crawlers: analysis.crawlers, details, ipContext: hasIpContext(caseFile) };
    process.stdout.write(o.json ? `${JSON.stringify(actorsJson(view), null, 2)}\n` : renderActorsText(view, caseFile.timezone));
  } finally {
    store.close();
  }
}
