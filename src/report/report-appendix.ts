import { plural } from '../util/plural.js';
import { COUNTING_RULES, type ReportModel } from './report-model.js';
import type { Section } from './section.js';
import { tableBlock } from './table-block.js';

/** The appendix: how the figures were counted, by which detectors, from which files, under which case file. */
export function appendixSections(m: ReportModel): Section[] {
  return [methodSection(), detectorSection(m), ingestSection(m), caseFileSection(m)];
}

function methodSection(): Section {
  return { id: 'method', title: 'Method: counting rules', appendix: true, blocks: [{ kind: 'list', items: COUNTING_RULES.map((text) => ({ text })) }] };
}

function detectorSection(m: ReportModel): Section {
  return {
    id: 'detectors',
    title: 'Detectors',
    appendix: true,
    blocks: [
      tableBlock(
        ['detector', 'counts as', 'level', 'findings', 'parameters'],
        m.detectors.map((d) => [d.id, d.countsAs, d.level, d.error ? `error: ${d.error}` : d.findings, d.params]),
        'No detector ran.',
      ),
      ...m.detectors.map((d) => ({ kind: 'code' as const, text: d.sql, lang: 'sql', caption: `${d.id}: ${d.title}` })),
    ],
  };
}

function ingestSection(m: ReportModel): Section {
  const a = m.analysis;
  const share = (x: number | null) => (x === null ? '-' : `${Math.round(x * 1000) / 10}%`);
  return {
    id: 'coverage',
    title: 'Ingest coverage',
    appendix: true,
    blocks: [
      tableBlock(
        ['source', 'file', 'format', 'SHA-256', 'lines', 'events', 'rejected', 'first event (UTC)', 'last event (UTC)'],
        a.ingest.files.map((f) => [f.source, f.path, f.format, f.sha256, f.lines, f.events, f.rejected, f.first_time ?? '-', f.last_time ?? '-']),
        'No log file was read.',
      ),
      { kind: 'paragraph', text: `${plural(a.ingest.lines, 'line')} read, ${plural(a.ingest.events, 'event')}, ${a.ingest.rejected_lines.toLocaleString('en')} rejected.` },
      { kind: 'heading', text: `Coverage of ${a.coverage.from ?? '-'} to ${a.coverage.to ?? '-'} (UTC) by source` },
      tableBlock(
        ['source', 'events', 'in the window', 'first event (UTC)', 'last event (UTC)', 'hours with events', 'share of the hours'],
        a.coverage.sources.map((x) => [x.source, x.events, x.events_in_window, x.first_event ?? '-', x.last_event ?? '-', `${x.hours_with_events} of ${x.window_hours}`, share(x.hours_share)]),
        'No source has events.',
      ),
      { kind: 'heading', text: `Gaps longer than ${plural(m.gapHours, 'hour')} in the events of a source (inside the window, and at its start and end)` },
      tableBlock(['source', 'from (UTC)', 'to (UTC)', 'hours'], m.gaps.map((g) => [g.source, g.from, g.to, g.hours]), `No gap longer than ${plural(m.gapHours, 'hour')}.`),
      { kind: 'heading', text: 'Rejected lines (examples)' },
      tableBlock(['file', 'line', 'reason'], a.ingest.files.flatMap((f) => f.reject_examples.map((x) => [f.path, x.line, x.reason])), 'No line was rejected.'),
    ],
  };
}

function caseFileSection(m: ReportModel): Section {
  return { id: 'case-file', title: 'Case file', appendix: true, blocks: [{ kind: 'paragraph', text: `SHA-256 ${m.caseSha256}:` }, { kind: 'code', text: m.caseText, lang: 'yaml' }] };
}
