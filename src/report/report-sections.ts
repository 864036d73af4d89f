/**
 * The report's text, written once: report.html and report.md render these sections in this order
 * (render-html.ts, render-md.ts), so the two say the same things.
 *
 * Adding a section: write a function `(m: ReportModel) => Section` (or `Section | null` when it
 * has nothing to say) that returns plain text in blocks (section.ts); never markup, never escaped
 * text: each renderer escapes for its format. Give it a stable `id` ([a-z0-9-], the HTML anchor),
 * set `appendix: true` for method and provenance detail, and add it to `reportSections` below at
 * the place a DPO reads it: figures, Art. 33, timeline, tables, then the appendix. An empty table
 * is a `table` block with no rows and an `empty` sentence; the renderers draw the sentence.
 */
import { plural } from '../util/plural.js';
import { figuresSentence } from './figures-sentence.js';
import { atRiskSection, peopleSection } from './scope-sections.js';
import { appendixSections } from './report-appendix.js';
import { capNote, keyTableData, showTime, type ReportModel, type TopLine } from './report-model.js';
import type { Block, ReportDocument, Section } from './section.js';
import { tableBlock } from './table-block.js';

export function reportDocument(m: ReportModel): ReportDocument {
  return {
    title: m.analysis.case,
    meta: `Breach report generated ${m.generatedAt} by breachscope ${m.tool.version} (DuckDB ${m.tool.duckdb}). Case file SHA-256 ${m.caseSha256}.`,
    sections: reportSections(m),
  };
}

/** Every section, in the order a DPO reads them. */
export function reportSections(m: ReportModel): Section[] {
  const sections: (Section | null)[] = [
    headlineSection(m),
    atRiskSection(m),
    warningsSection(m),
    notificationSection(m),
    ...(m.extraSections ?? []),
    peopleSection(m),
    timelineSection(m),
    ipSection(m),
    accountSection(m),
    documentSection(m),
    categorySection(m),
    ...m.sections,
    ...appendixSections(m),
  ];
  return sections.filter((s): s is Section => s !== null);
}

function headlineSection(m: ReportModel): Section {
  const a = m.analysis;
  const s = a.summary;
  const c = a.context;
  const zone = m.displayZone;
  return {
    id: 'figures',
    title: 'Figures',
    blocks: [
      { kind: 'paragraph', text: `${figuresSentence(s)}.`, strong: true },
      {
        kind: 'facts',
        rows: [
          { label: 'Window analysed', value: `${showTime(a.window.from, zone)} to ${showTime(a.window.to, zone)} (the end is exclusive)` },
          { label: 'Exposure observed', value: `${showTime(s.first_access, zone)} to ${showTime(s.last_access, zone)} (first and last unauthorized access)` },
          { label: 'Signed-in', value: `${plural(s.unauthorized_accesses - s.anonymous_accesses, 'access', 'accesses')} by ${plural(s.accounts, 'account')}` },
          { label: 'Anonymous', value: plural(s.anonymous_accesses, 'access', 'accesses') },
          { label: 'People affected', value: `${s.affected_subjects.toLocaleString('en')}, counted from the ${s.subjects_from}` },
          {
            label: 'Not counted',
            value: `${plural(c.authorized_disclosures, 'authorized disclosure')} (owner, grant, staff); ${c.outside_window_disclosures.toLocaleString('en')} outside the window; ${c.unknown_document_disclosures.toLocaleString('en')} of ids not in the owners file; ${plural(c.attempts, 'refused attempt')}`,
          },
        ],
      },
    ],
  };
}

function warningsSection(m: ReportModel): Section | null {
  const w = m.analysis.warnings;
  if (w.length === 0) return null;
  return { id: 'warnings', title: 'Before relying on these figures', blocks: [{ kind: 'list', items: w.map((x) => ({ code: x.code, text: x.message })) }] };
}

const todo = (value: string | undefined, key: string) => (value ? { value } : { value: `To be completed by the controller: ${key}.`, todo: true });

function notificationSection(m: ReportModel): Section {
  const s = m.analysis.summary;
  const zone = m.displayZone;
  const cats = m.categories;
  const categories =
    cats.length === 0
      ? 'none: no unauthorized access'
      : cats.length <= 5
        ? cats.map((x) => `${x.category} (${plural(x.subjects, 'person', 'people')})`).join('; ')
        : `${cats.length} categories, listed under "By category of data subject"`;
  const deadline = m.awareAt
    ? [
        { label: 'Aware since', value: showTime(m.awareAt, zone) },
        { label: '72-hour deadline', value: showTime(m.deadline, zone), strong: true },
      ]
    : [{ label: '72-hour deadline', value: 'Set aware_at in the case file to compute it.', todo: true }];
  const nature = m.breach.nature ?? `Unauthorized disclosure: ${s.unauthorized_accesses} requests served ${plural(s.documents, 'document')} to people other than their owners, from ${plural(s.unique_ips, 'IP address', 'IP addresses')}.`;
  return {
    id: 'notification',
    title: 'Notification (GDPR Art. 33(3))',
    blocks: [
      {
        kind: 'facts',
        rows: [
          ...deadline,
          { label: 'Nature of the breach', value: nature },
          { label: 'Categories of data subjects', value: categories },
          { label: 'Data subjects (approx.)', value: s.affected_subjects.toLocaleString('en') },
          { label: 'Records (approx.)', value: `${plural(s.documents, 'document')}, ${plural(s.unauthorized_accesses, 'access', 'accesses')}` },
          { label: 'Likely consequences', ...todo(m.breach.likelyConsequences, 'breach.likely_consequences') },
          { label: 'Measures taken or proposed', ...todo(m.breach.measures, 'breach.measures') },
          { label: 'Contact point', ...todo(m.breach.contact, 'breach.contact') },
        ],
      },
    ],
  };
}

function timelineSection(m: ReportModel): Section {
  return {
    id: 'timeline',
    title: 'Timeline',
    blocks: m.timeline ? [{ kind: 'chart', chart: m.timeline }] : [{ kind: 'paragraph', text: 'No unauthorized access to chart.' }],
  };
}

function keyTable(rows: readonly TopLine[], keyTitle: string, cols: readonly ('documents' | 'accounts' | 'ips')[], empty: string, cap: string): Block {
  const t = keyTableData(rows, keyTitle, cols);
  return tableBlock(t.headers, t.rows, empty, cap);
}

function ipSection(m: ReportModel): Section {
  const cap = capNote(m.ips.length, m.totals.ips, 'client IPs');
  return { id: 'by-ip', title: 'By client IP', blocks: [keyTable(m.ips, 'client IP', ['documents', 'accounts'], "No client IP received another's document.", cap)] };
}

function accountSection(m: ReportModel): Section {
  const cap = capNote(m.accounts.length, m.totals.accounts, 'accounts');
  return { id: 'by-account', title: 'By account', blocks: [keyTable(m.accounts, 'account', ['documents', 'ips'], "No signed-in account received another's document.", cap)] };
}

function documentSection(m: ReportModel): Section {
  const people = m.analysis.summary.subjects_from === 'subjects file' ? 'subjects' : 'owners';
  return {
    id: 'by-document',
    title: 'By document',
    blocks: [
      tableBlock(
        ['document', 'accesses', 'client IPs', 'accounts', people, 'first seen (UTC)', 'last seen (UTC)'],
        m.documents.map((d) => [d.key, d.accesses, d.ips, d.accounts, d.subjects, d.first, d.last]),
        'No document was disclosed to anyone but its owners and those authorized.',
        capNote(m.documents.length, m.totals.documents, 'documents'),
      ),
    ],
  };
}

function categorySection(m: ReportModel): Section {
  return {
    id: 'by-category',
    title: 'By category of data subject',
    blocks: [tableBlock(['category', 'people', 'documents'], m.categories.map((x) => [x.category, x.subjects, x.documents]), 'No person is affected, so no category of data subject.')],
  };
}
