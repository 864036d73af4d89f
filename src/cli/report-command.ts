import path from 'node:path';
import { analyzeCase } from '../analyze/analysis.js';
import { ingestCase } from '../ingest/ingest.js';
import { Progress } from '../ingest/progress.js';
import { writeFileSync } from 'node:fs';
import { writeEvidencePack } from '../report/evidence-pack.js';
import { discardStaging, packTarget, placePack, stagePack } from '../report/pack-folder.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { stage } from '../util/trace.js';
import { renderHtml } from '../report/render-html.js';
import { renderMarkdown } from '../report/render-md.js';
import { buildReportModel } from '../report/report-model.js';
import { figuresSentence } from '../report/figures-sentence.js';
import { toolVersion } from '../util/project-root.js';
import { UserError } from '../util/user-error.js';
import { openCase, printWarnings } from './open-case.js';
import { generatedAt } from './generated-at.js';
import { figureEngine, redactClickHouseUrl, type EngineOptions } from './engine-option.js';
import { signPack } from '../report/sign-pack.js';
import { keyIdText } from '../report/minisign.js';
import { loadSecretKey } from './signing-keys.js';
import { prepareExtras, runExtras } from './report-extras.js';

export async function reportCommand(casePath: string, o: { out: string; db?: string; generatedAt?: string; gapHours: number; maxRows: number; sign?: string; notices?: boolean; previous?: string } & EngineOptions): Promise<void> {
  const at = generatedAt(o.generatedAt);
  if (!Number.isSafeInteger(o.maxRows) || o.maxRows < 1) {
    throw new UserError({ what: `--max-rows: '${String(o.maxRows)}' is not a positive whole number`, help: 'give the number of rows per table, e.g. --max-rows 1000' });
  }
  const target = packTarget(o.out);
  // The key is read (and its passphrase asked) before the analysis: a wrong one fails in seconds, not after it.
  const key = o.sign === undefined ? undefined : await loadSecretKey(o.sign);
  const { caseFile, store } = await openCase(casePath, o.db, { shared: true });
  try {
    const extras = await prepareExtras(caseFile, o);
    await ingestCase(store, caseFile, Progress.forStderr());
    const engine = await figureEngine(o, store, caseFile);
    const analysis = await analyzeCase(store, caseFile, 10, { gapHours: o.gapHours, engine, reportedAt: at });
    printWarnings(analysis.warnings);
    const version = toolVersion();
    const model = await buildReportModel(store, caseFile, analysis, { generatedAt: at, toolVersion: version, gapHours: o.gapHours, maxRows: o.maxRows });
    await stage('report-model');
    const staging = stagePack(target);
    let manifest;
    let notices: number | undefined;
    try {
      // The reports are written first so that the manifest, written last, hashes them too.
      manifest = await writeEvidencePack(store, caseFile, analysis, {
        outDir: staging,
        generatedAt: at,
        toolVersion: version,
        command: redactClickHouseUrl(process.argv.slice(2)),
        before: async () => {
          const added = await runExtras(store, caseFile, analysis, extras, { staging, at, maxRows: o.maxRows });
          notices = added.notices;
          const full = { ...model, extraSections: added.sections };
          writeFileSync(path.join(staging, 'report.html'), renderHtml(full));
          writeFileSync(path.join(staging, 'report.md'), renderMarkdown(full));
        },
      });
      if (key) signPack(staging, key, { caseTitle: caseFile.title, at });
      await stage('pack-staged', staging);
      placePack(staging, target);
    } catch (e) {
      discardStaging(staging);
      throw e;
    }
    process.stdout.write(`${figuresSentence(analysis.summary)}.\n`);
    process.stdout.write(`Evidence pack in ${terminalSafe(target.dir)}:\n`);
    for (const f of manifest.outputs) process.stdout.write(`  ${f.path.padEnd(18)} ${String(f.bytes).padStart(10)} bytes  sha256 ${f.sha256}\n`);
    if (notices !== undefined) process.stdout.write(`  notices/           ${notices} notices (.md and .html), each listed with its SHA-256 in notices/SHA256SUMS\n`);
    process.stdout.write(`  manifest.json      hashes of ${manifest.inputs.length} inputs and ${manifest.outputs.length} outputs; check with: breachscope verify ${terminalSafe(o.out)}\n`);
    if (key) process.stdout.write(`  manifest.json.minisig  signed by key ${keyIdText(key.keyId)}; check with: minisign -Vm manifest.json -p breachscope.pub (or breachscope verify --pubkey)\n`);
  } finally {
    store.close();
  }
}
