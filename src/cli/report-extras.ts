import type { Analysis } from '../analyze/analysis.js';
import type { CaseFile } from '../case/case-file.js';
import type { Store } from '../db/store.js';
import { changesSection, phaseSection } from '../report/changes-section.js';
import { loadNoticeTemplate, type NoticeTemplate } from '../report/notice-template.js';
import { writeNotices } from '../report/notices.js';
import { coverageFacts, diffPacks, type PackFacts, type PackSide } from '../report/pack-diff.js';
import type { Section } from '../report/section.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { verifiedPack } from './verified-pack.js';

/** What `report --notices` and `report --previous` add to a pack, checked before the analysis runs. */
export interface ReportExtras {
  readonly template: NoticeTemplate | undefined;
  readonly previous: PackSide | undefined;
}

const warn = (message: string) => process.stderr.write(`warning: case_file: ${terminalSafe(message)}\n`);

export async function prepareExtras(caseFile: CaseFile, o: { notices?: boolean; previous?: string }): Promise<ReportExtras> {
  const template = o.notices ? loadNoticeTemplate(caseFile.breach.noticeTemplate) : undefined;
  const previous = o.previous === undefined ? undefined : await verifiedPack(o.previous, '--previous');
  if (previous && caseFile.breach.phase !== 'follow-up') {
    warn(`report --previous compares with an earlier pack, but breach.phase is ${caseFile.breach.phase ?? 'not set (initial)'}; set breach.phase: follow-up`);
  }
  return { template, previous };
}

/**
 * Writes the notices into the staging folder and compares its evidence with the previous pack's
 * (evidence.parquet and subjects.csv are in the folder by then); returns the report's extra sections.
 */
export async function runExtras(store: Store, caseFile: CaseFile, analysis: Analysis, x: ReportExtras, o: { staging: string; at: Date; maxRows: number }): Promise<{ sections: Section[]; notices: number | undefined }> {
  let notices: number | undefined;
  if (x.template) {
    const written = await writeNotices(store, caseFile, x.template, o.staging, o.at);
    notices = written.notices;
    if (written.todo.length > 0) warn(`notices: ${written.todo.join(', ')} not set; each notice says "[to be completed by the controller: ...]" there`);
  }
  const sections: Section[] = [];
  const phase = phaseSection(caseFile);
  if (phase) sections.push(phase);
  if (x.previous) {
    const files = await store.all<{ source: string; path: string; sha256: string }>('SELECT source, path, sha256 FROM case_files ORDER BY path, source');
    const facts: PackFacts = {
      case: { title: caseFile.title, path: caseFile.path, sha256: caseFile.sha256 },
      generated_at: o.at.toISOString().replace('.000Z', 'Z'),
      figures: analysis.summary,
      inputs: files.map((f) => ({ role: `source ${f.source}`, path: f.path, sha256: f.sha256 })),
      window: analysis.window,
      coverage: coverageFacts(analysis),
      breach: { phase: caseFile.breach.phase ?? 'initial', reference: caseFile.breach.reference ?? null },
    };
    sections.push(changesSection(await diffPacks(x.previous, { label: 'this report', dir: o.staging, facts }, o.maxRows)));
  }
  return { sections, notices };
}
