import { plural } from '../util/plural.js';
import { figuresSentence } from './figures-sentence.js';
import { sectionHtml } from './render-section.js';
import { capNote, COUNTING_RULES, keyTableData, showTime, type ReportModel, type TopLine } from './report-model.js';

/** Everything from logs and case files is text here, never markup. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Rows shown per table; the evidence files hold every row. */
export const TABLE_ROWS = 500;

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#57606a;font-size:.85rem}.figures{font-size:1.45rem;font-weight:600;background:#fff4e5;border-left:6px solid #d1242f;padding:.8rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}td.h,.meta code{word-break:break-all}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}.todo{color:#9a6700;font-style:italic}.warnings{background:#fff8c5;border-left:6px solid #9a6700;padding:.2rem 1rem}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}.error{color:#d1242f}
svg text{font:11px system-ui,sans-serif;fill:#57606a}.bar{fill:#d1242f}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}table,pre,svg{break-inside:auto}tr{break-inside:avoid}.figures{border-left-color:#000}}
`;

function timelineSvg(m: ReportModel): string {
  const days = m.timeline;
  if (days.length === 0) return '<p>No unauthorized access to chart.</p>';
  const width = 900;
  const height = 180;
  const left = 36;
  const bottom = 24;
  const max = Math.max(...days.map((d) => d.accesses));
  const slot = (width - left) / days.length;
  const bars = days
    .map((d, i) => {
      const h = max === 0 ? 0 : ((height - bottom - 10) * d.accesses) / max;
      const x = left + i * slot + slot * 0.1;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(d.day)}: ${d.accesses}</title></rect>`;
    })
    .join('');
  const label = (i: number, anchor: string) => `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="${anchor}">${escapeHtml(days[i]!.day)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Unauthorized accesses per day (UTC)">` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#8c959f"/>` +
    `<text x="${left - 4}" y="14" text-anchor="end">${max}</text><text x="${left - 4}" y="${height - bottom}" text-anchor="end">0</text>` +
    bars +
    label(0, 'start') +
    (days.length > 1 ? label(days.length - 1, 'end') : '') +
    '</svg>'
  );
}

function table(headers: readonly string[], rows: readonly (readonly unknown[])[], numeric: ReadonlySet<number> = new Set(), hashes: ReadonlySet<number> = new Set()): string {
  const shown = rows.slice(0, TABLE_ROWS);
  const more = rows.length > shown.length ? `<p class="meta">${rows.length - shown.length} more rows in evidence.csv.</p>` : '';
  return (
    `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    shown.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="n"' : hashes.has(i) ? ' class="h"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    `</tbody></table>${more}`
  );
}

const todo = (v: string | undefined, what: string) => (v ? escapeHtml(v) : `<span class="todo">To be completed by the controller: ${escapeHtml(what)}.</span>`);

function keyTable(rows: readonly TopLine[], keyTitle: string, cols: readonly ('documents' | 'accounts' | 'ips')[]): string {
  const t = keyTableData(rows, keyTitle, cols);
  return table(t.headers, t.rows, new Set([1, ...cols.map((_, i) => i + 2)]));
}

export function renderHtml(m: ReportModel): string {
  const a = m.analysis;
  const s = a.summary;
  const c = a.context;
  const zone = m.displayZone;
  const sections: string[] = [];
  sections.push(
    `<h1>${escapeHtml(a.case)}</h1><p class="meta">Breach report generated ${escapeHtml(m.generatedAt)} by breachscope ${escapeHtml(m.tool.version)} (DuckDB ${escapeHtml(m.tool.duckdb)}). Case file SHA-256 <code>${escapeHtml(m.caseSha256)}</code>.</p>`,
    `<p class="figures">${escapeHtml(figuresSentence(s))}.</p>`,
    a.warnings.length
      ? `<div class="warnings"><h2 id="warnings">Before relying on these figures</h2><ul>${a.warnings.map((w) => `<li><code>${escapeHtml(w.code)}</code> ${escapeHtml(w.message)}</li>`).join('')}</ul></div>`
      : '',
    `<dl><dt>Window analysed</dt><dd>${escapeHtml(showTime(a.window.from, zone))} to ${escapeHtml(showTime(a.window.to, zone))} (the end is exclusive)</dd>` +
      `<dt>Exposure observed</dt><dd>${escapeHtml(showTime(s.first_access, zone))} to ${escapeHtml(showTime(s.last_access, zone))} (first and last unauthorized access)</dd>` +
      `<dt>Signed-in</dt><dd>${s.unauthorized_accesses - s.anonymous_accesses} accesses by ${s.accounts} account(s)</dd>` +
      `<dt>Anonymous</dt><dd>${s.anonymous_accesses} accesses</dd>` +
      `<dt>People affected</dt><dd>${s.affected_subjects}, counted from the ${escapeHtml(s.subjects_from)}</dd>` +
      `<dt>Not counted</dt><dd>${c.authorized_disclosures} authorized disclosures (owner, grant, staff); ${c.outside_window_disclosures} outside the window; ${c.unknown_document_disclosures} of ids not in the owners file; ${c.attempts} refused attempts</dd></dl>`,
  );
  sections.push(
    '<h2 id="notification">Notification (GDPR Art. 33(3))</h2><dl>' +
      (m.awareAt
        ? `<dt>Aware since</dt><dd>${escapeHtml(showTime(m.awareAt, zone))}</dd><dt>72-hour deadline</dt><dd><strong>${escapeHtml(showTime(m.deadline, zone))}</strong></dd>`
        : `<dt>72-hour deadline</dt><dd class="todo">Set aware_at in the case file to compute it.</dd>`) +
      `<dt>Nature of the breach</dt><dd>${m.breach.nature ? escapeHtml(m.breach.nature) : `Unauthorized disclosure: ${s.unauthorized_accesses} requests served ${s.documents} documents to people other than their owners, from ${s.unique_ips} IP addresses.`}</dd>` +
      `<dt>Data subjects (approx.)</dt><dd>${s.affected_subjects}</dd><dt>Records (approx.)</dt><dd>${s.documents} documents, ${s.unauthorized_accesses} accesses</dd>` +
      `<dt>Likely consequences</dt><dd>${todo(m.breach.likelyConsequences, 'breach.likely_consequences')}</dd>` +
      `<dt>Measures taken or proposed</dt><dd>${todo(m.breach.measures, 'breach.measures')}</dd>` +
      `<dt>Contact point</dt><dd>${todo(m.breach.contact, 'breach.contact')}</dd></dl>` +
      '<h3>Categories of data subjects</h3>' +
      table(['category', 'people', 'documents'], m.categories.map((x) => [x.category, x.subjects, x.documents]), new Set([1, 2])),
  );
  sections.push(...(m.extraSections ?? []).map(sectionHtml));
  sections.push('<h2 id="timeline">Unauthorized accesses per day (UTC)</h2>', timelineSvg(m));
  const cap = (shown: number, total: number, what: string) => (capNote(shown, total, what) ? `<p class="note">${escapeHtml(capNote(shown, total, what))}</p>` : '');
  sections.push('<h2 id="by-ip">By client IP</h2>', keyTable(m.ips, 'client IP', ['documents', 'accounts']), cap(m.ips.length, m.totals.ips, 'client IPs'));
  sections.push('<h2 id="by-account">By account</h2>', keyTable(m.accounts, 'account', ['documents', 'ips']), cap(m.accounts.length, m.totals.accounts, 'accounts'));
  sections.push(
    '<h2 id="by-document">By document</h2>',
    table(
      ['document', 'accesses', 'client IPs', 'accounts', s.subjects_from === 'subjects file' ? 'subjects' : 'owners', 'first seen (UTC)', 'last seen (UTC)'],
      m.documents.map((d) => [d.key, d.accesses, d.ips, d.accounts, d.subjects, d.first, d.last]),
      new Set([1, 2, 3]),
    ),
    cap(m.documents.length, m.totals.documents, 'documents'),
  );
  sections.push(
    '<h2 id="detectors">Detectors</h2>',
    table(
      ['detector', 'counts as', 'level', 'findings', 'parameters'],
      m.detectors.map((d) => [d.id, d.countsAs, d.level, d.error ? `error: ${d.error}` : d.findings, d.params]),
      new Set([3]),
    ),
    ...m.detectors.map((d) => `<h3>${escapeHtml(d.id)}: ${escapeHtml(d.title)}</h3><pre>${escapeHtml(d.sql)}</pre>`),
  );
  sections.push(
    '<h2 id="coverage">Ingest coverage</h2>',
    table(
      ['source', 'file', 'format', 'SHA-256', 'lines', 'events', 'rejected', 'first event (UTC)', 'last event (UTC)'],
      a.ingest.files.map((f) => [f.source, f.path, f.format, f.sha256, f.lines, f.events, f.rejected, f.first_time ?? '-', f.last_time ?? '-']),
      new Set([4, 5, 6]),
      new Set([3]),
    ),
    `<p>${a.ingest.lines} lines read, ${a.ingest.events} events, ${a.ingest.rejected_lines} rejected.</p>`,
    `<h3>Coverage of ${escapeHtml(a.coverage.from ?? '-')} to ${escapeHtml(a.coverage.to ?? '-')} (UTC) by source</h3>`,
    table(
      ['source', 'events', 'in the window', 'first event (UTC)', 'last event (UTC)', 'hours with events', 'share of the hours'],
      a.coverage.sources.map((x) => [x.source, x.events, x.events_in_window, x.first_event ?? '-', x.last_event ?? '-', `${x.hours_with_events} of ${x.window_hours}`, x.hours_share === null ? '-' : `${Math.round(x.hours_share * 1000) / 10}%`]),
      new Set([1, 2, 5, 6]),
    ),
    `<h3>Gaps longer than ${plural(m.gapHours, 'hour')} in the events of a source (inside the window, and at its start and end)</h3>`,
    m.gaps.length ? table(['source', 'from (UTC)', 'to (UTC)', 'hours'], m.gaps.map((g) => [g.source, g.from, g.to, g.hours]), new Set([3])) : '<p>None.</p>',
    '<h3>Rejected lines (examples)</h3>',
    a.ingest.rejected_lines
      ? table(['file', 'line', 'reason'], a.ingest.files.flatMap((f) => f.reject_examples.map((x) => [f.path, x.line, x.reason])), new Set([1]))
      : '<p>None.</p>',
  );
  sections.push(
    '<h2 id="method">Method</h2><ol>',
    ...COUNTING_RULES.map((r) => `<li>${escapeHtml(r)}</li>`),
    '</ol><h3>Case file</h3>',
    `<pre>${escapeHtml(m.caseText)}</pre>`,
  );
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>${escapeHtml(a.case)}: breach report</title><style>${CSS}</style></head><body>\n${sections.join('\n')}\n</body></html>\n`;
}
