import { plural } from '../util/plural.js';
import { figuresSentence } from './figures-sentence.js';
import { TABLE_ROWS } from './render-html.js';
import { sectionMd } from './render-section.js';
import { capNote, COUNTING_RULES, keyTableData, showTime, type ReportModel, type TopLine } from './report-model.js';

/** The cap sentence as Markdown lines (a blank line, then the note), or nothing. */
const capLine = (shown: number, total: number, what: string): string[] => {
  const note = capNote(shown, total, what);
  return note ? ['', `_${note}_`] : [];
};

/**
 * A value in Markdown text or a table cell: every punctuation character Markdown gives meaning to
 * is backslash-escaped (so `|` cannot end a cell and `[x](y)` or `<http://...>` cannot become a
 * link), line breaks become spaces, and `://` and `www.` are broken so no autolink forms.
 */
export function escapeMd(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>#|!~&]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`);
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const shown = rows.slice(0, TABLE_ROWS);
  const lines = [`| ${headers.map(escapeMd).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...shown.map((r) => `| ${r.map(escapeMd).join(' | ')} |`)];
  if (rows.length > shown.length) lines.push('', `${rows.length - shown.length} more rows in evidence.csv.`);
  return lines.join('\n');
}

const todo = (v: string | undefined, what: string) => (v ? escapeMd(v) : `*To be completed by the controller: ${what.replace(/_/g, '\\_')}.*`);

function keyTable(rows: readonly TopLine[], keyTitle: string, cols: readonly ('documents' | 'accounts' | 'ips')[]): string {
  const t = keyTableData(rows, keyTitle, cols);
  return table(t.headers, t.rows);
}

export function renderMarkdown(m: ReportModel): string {
  const a = m.analysis;
  const s = a.summary;
  const c = a.context;
  const zone = m.displayZone;
  const out: string[] = [];
  out.push(
    `# ${escapeMd(a.case)}`,
    '',
    `Breach report generated ${escapeMd(m.generatedAt)} by breachscope ${escapeMd(m.tool.version)} (DuckDB ${escapeMd(m.tool.duckdb)}). Case file SHA-256 \`${m.caseSha256}\`.`,
    '',
    `**${escapeMd(figuresSentence(s))}.**`,
    '',
    ...(a.warnings.length ? ['## Before relying on these figures', '', ...a.warnings.map((w) => `- \`${w.code}\` ${escapeMd(w.message)}`), ''] : []),
    `- Window analysed: ${escapeMd(showTime(a.window.from, zone))} to ${escapeMd(showTime(a.window.to, zone))} (the end is exclusive)`,
    `- Exposure observed: ${escapeMd(showTime(s.first_access, zone))} to ${escapeMd(showTime(s.last_access, zone))}`,
    `- Signed-in: ${s.unauthorized_accesses - s.anonymous_accesses} accesses by ${s.accounts} account(s); anonymous: ${s.anonymous_accesses}`,
    `- People affected: ${s.affected_subjects}, counted from the ${s.subjects_from}`,
    `- Not counted: ${c.authorized_disclosures} authorized disclosures (owner, grant, staff); ${c.outside_window_disclosures} outside the window; ${c.unknown_document_disclosures} of ids not in the owners file; ${c.attempts} refused attempts`,
    '',
    '## Notification (GDPR Art. 33(3))',
    '',
    m.awareAt ? `- Aware since: ${escapeMd(showTime(m.awareAt, zone))}\n- **72-hour deadline: ${escapeMd(showTime(m.deadline, zone))}**` : '- 72-hour deadline: *set aware\\_at in the case file to compute it.*',
    `- Nature of the breach: ${m.breach.nature ? escapeMd(m.breach.nature) : `unauthorized disclosure: ${s.unauthorized_accesses} requests served ${s.documents} documents to people other than their owners, from ${s.unique_ips} IP addresses.`}`,
    `- Data subjects (approx.): ${s.affected_subjects}; records (approx.): ${s.documents} documents, ${s.unauthorized_accesses} accesses`,
    `- Likely consequences: ${todo(m.breach.likelyConsequences, 'breach.likely_consequences')}`,
    `- Measures taken or proposed: ${todo(m.breach.measures, 'breach.measures')}`,
    `- Contact point: ${todo(m.breach.contact, 'breach.contact')}`,
    '',
    table(['category', 'people', 'documents'], m.categories.map((x) => [x.category, x.subjects, x.documents])),
    '',
    ...(m.extraSections ?? []).flatMap((x) => [sectionMd(x), '']),
    '## Unauthorized accesses per day (UTC)',
    '',
    table(['day', 'accesses'], m.timeline.map((d) => [d.day, d.accesses])),
    '',
    '## By client IP',
    '',
    keyTable(m.ips, 'client IP', ['documents', 'accounts']),
    ...capLine(m.ips.length, m.totals.ips, 'client IPs'),
    '',
    '## By account',
    '',
    keyTable(m.accounts, 'account', ['documents', 'ips']),
    ...capLine(m.accounts.length, m.totals.accounts, 'accounts'),
    '',
    '## By document',
    '',
    table(
      ['document', 'accesses', 'client IPs', 'accounts', s.subjects_from === 'subjects file' ? 'subjects' : 'owners', 'first seen (UTC)', 'last seen (UTC)'],
      m.documents.map((d) => [d.key, d.accesses, d.ips, d.accounts, d.subjects, d.first, d.last]),
    ),
    ...capLine(m.documents.length, m.totals.documents, 'documents'),
    '',
    '## Detectors',
    '',
    table(['detector', 'counts as', 'level', 'findings', 'parameters'], m.detectors.map((d) => [d.id, d.countsAs, d.level, d.error ? `error: ${d.error}` : d.findings, d.params])),
    '',
    ...m.detectors.flatMap((d) => [`### ${escapeMd(d.id)}: ${escapeMd(d.title)}`, '', fenced(d.sql, 'sql'), '']),
    '## Ingest coverage',
    '',
    table(
      ['source', 'file', 'format', 'SHA-256', 'lines', 'events', 'rejected', 'first event (UTC)', 'last event (UTC)'],
      a.ingest.files.map((f) => [f.source, f.path, f.format, f.sha256, f.lines, f.events, f.rejected, f.first_time ?? '-', f.last_time ?? '-']),
    ),
    '',
    `${a.ingest.lines} lines read, ${a.ingest.events} events, ${a.ingest.rejected_lines} rejected.`,
    '',
    `### Coverage of ${escapeMd(a.coverage.from ?? '-')} to ${escapeMd(a.coverage.to ?? '-')} (UTC) by source`,
    '',
    table(
      ['source', 'events', 'in the window', 'first event (UTC)', 'last event (UTC)', 'hours with events', 'share of the hours'],
      a.coverage.sources.map((x) => [x.source, x.events, x.events_in_window, x.first_event ?? '-', x.last_event ?? '-', `${x.hours_with_events} of ${x.window_hours}`, x.hours_share === null ? '-' : `${Math.round(x.hours_share * 1000) / 10}%`]),
    ),
    '',
    `### Gaps longer than ${plural(m.gapHours, 'hour')} in the events of a source (inside the window, and at its start and end)`,
    '',
    m.gaps.length ? table(['source', 'from (UTC)', 'to (UTC)', 'hours'], m.gaps.map((g) => [g.source, g.from, g.to, g.hours])) : 'None.',
    '',
    '### Rejected lines (examples)',
    '',
    a.ingest.rejected_lines ? table(['file', 'line', 'reason'], a.ingest.files.flatMap((f) => f.reject_examples.map((x) => [f.path, x.line, x.reason]))) : 'None.',
    '',
    '## Method',
    '',
    ...COUNTING_RULES.map((r, i) => `${i + 1}. ${escapeMd(r)}`),
    '',
    '### Case file',
    '',
    fenced(m.caseText, 'yaml'),
    '',
  );
  return `${out.join('\n')}\n`;
}
