import type { Analysis, TopRow } from '../analyze/analysis.js';
import { figuresSentence } from './figures-sentence.js';
import { plural } from '../util/plural.js';
import { clip, terminalSafe } from '../util/terminal-safe.js';
import { crawlerSentence } from '../analyze/crawlers.js';

const n = (x: number) => x.toLocaleString('en');
/** Gaps listed per source in the text output; --json and the report list them all. */
const GAPS_SHOWN = 5;

/**
 * A UTC instant written in the display zone with its offset (`2015-03-16 10:00:00+00:00`,
 * `2015-04-01 11:00:00+01:00`); without a zone, the UTC time as stored.
 */
export function zonedTime(isoUtc: string | null, zone: string | undefined): string {
  if (!isoUtc) return '-';
  if (!zone) return isoUtc;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' })
      .formatToParts(new Date(isoUtc))
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

type Column = 'documents' | 'ips' | 'accounts';
const COLUMN_TITLES: Record<Column, string> = { documents: 'documents', ips: 'IPs', accounts: 'accounts' };

/** A top list; the column that counts the key's own kind (always 1) is left out. */
function table(title: string, rows: readonly TopRow[], keyTitle: string, columns: readonly Column[], zone: string | undefined): string[] {
  if (rows.length === 0) return [];
  const keyWidth = Math.min(40, Math.max(keyTitle.length, ...rows.map((r) => terminalSafe(r.key).length)));
  const head = columns.map((c) => COLUMN_TITLES[c]);
  const first = rows.map((r) => zonedTime(r.first, zone));
  const width = Math.max('first seen'.length, ...first.map((f) => f.length));
  const out = [title, `  ${keyTitle.padEnd(keyWidth)}  accesses  ${head.join('  ')}  people  ${'first seen'.padEnd(width)}  last seen`];
  for (const [i, r] of rows.entries()) {
    const cells = columns.map((c, k) => String(r[c]).padStart(head[k]!.length));
    out.push(`  ${clip(r.key, keyWidth).padEnd(keyWidth)}  ${String(r.accesses).padStart(8)}  ${cells.join('  ')}  ${String(r.subjects).padStart(6)}  ${first[i]!.padEnd(width)}  ${zonedTime(r.last, zone)}`);
  }
  out.push('');
  return out;
}

/**
 * What a responder reads first, in the order they need it. Every log-derived string is made
 * terminal-safe. Times are shown in the case's display zone (`timezone:`) with their offset.
 */
export function renderTextReport(a: Analysis, zone?: string): string {
  const s = a.summary;
  const t = (iso: string | null) => zonedTime(iso, zone);
  const out: string[] = [];
  out.push(terminalSafe(a.case), '='.repeat(Math.min(78, terminalSafe(a.case).length)), '');
  out.push(`${figuresSentence(s)}.`, '');
  if (a.warnings.length > 0) {
    out.push('Before relying on these figures:');
    for (const w of a.warnings) out.push(`  ! ${w.code}: ${terminalSafe(w.message)}`);
    out.push('');
  }
  if (zone) out.push(`Times in:          ${zone} (with their UTC offset)`);
  out.push(`Window analysed:   ${a.window.from ? t(a.window.from) : 'start of the logs'} to ${a.window.to ? t(a.window.to) : 'end of the logs'} (${zone ? '' : 'UTC, '}to exclusive)`);
  out.push(`Exposure observed: ${t(s.first_access)} to ${t(s.last_access)} (first and last unauthorized access)`);
  const signedIn = s.unauthorized_accesses - s.anonymous_accesses;
  out.push(`Signed-in:         ${plural(signedIn, 'access', 'accesses')} by ${plural(s.accounts, 'account')}; anonymous: ${n(s.anonymous_accesses)}`);
  out.push(`People affected:   counted from the ${s.subjects_from}`);
  out.push(`Confirmed/at risk: ${plural(s.affected_subjects, 'person', 'people')} confirmed; at risk ${plural(a.at_risk.people, 'person', 'people')} in ${plural(a.at_risk.documents, 'document')}: ${terminalSafe(a.at_risk.definition)}`);
  out.push(`Confidence:        ${n(s.tiers.confirmed)} confirmed, ${n(s.tiers.partial)} partial (206, or 0 body bytes); both count in the figures`);
  const c = a.context;
  out.push(
    `Not counted:       ${plural(c.authorized_disclosures, 'authorized disclosure')} (owner, grant, staff), ${n(c.outside_window_disclosures)} outside the window, ` +
      `${n(c.unknown_document_disclosures)} of ids not in the owners file, ${plural(c.attempts, 'refused attempt')}`,
  );
  if (a.crawlers.accesses > 0 || a.crawlers.excluded) out.push(`Crawlers:          ${terminalSafe(crawlerSentence(a.crawlers))}`);
  out.push('');
  out.push(...table('Top client IPs', a.top.ips, 'client IP', ['documents', 'accounts'], zone));
  out.push(...table('Top accounts', a.top.accounts, 'account', ['documents', 'ips'], zone));
  out.push(...table('Top documents', a.top.documents, 'document', ['ips', 'accounts'], zone));
  out.push('Detectors');
  for (const d of a.detectors) {
    const count = d.error ? `ERROR ${d.file}${d.line ? `:${d.line}` : ''}: ${terminalSafe(d.error)}` : n(d.findings ?? 0);
    out.push(`  ${d.id.padEnd(32)} ${(d.counts_as ?? '?').padEnd(10)} ${count}`);
  }
  out.push('');
  out.push(`Ingest coverage: ${plural(a.ingest.files.length, 'file')}, ${plural(a.ingest.lines, 'line')}, ${plural(a.ingest.events, 'event')}, ${n(a.ingest.rejected_lines)} rejected`);
  for (const f of a.ingest.files) {
    out.push(
      `  ${terminalSafe(f.source)}  ${terminalSafe(f.path)}  ${f.format}  lines ${n(f.lines)}  rejected ${n(f.rejected)}  ` +
        `${t(f.first_time)} .. ${t(f.last_time)}  sha256 ${f.sha256.slice(0, 16)}…`,
    );
    if (f.counted_with) out.push(`    same lines as ${terminalSafe(f.counted_with)}: counted once, under that file`);
    for (const w of f.warnings) out.push(`    warning: ${terminalSafe(w)}`);
    for (const x of f.reject_examples.slice(0, 5)) out.push(`    rejected ${terminalSafe(f.path)}:${x.line}: ${clip(x.reason, 140)}`);
    if (f.rejected > 5) out.push(`    ... ${n(f.rejected - 5)} more rejected lines in this file (analyze --json lists 20; all are in the store's rejects table)`);
  }
  const cov = a.coverage;
  out.push('', `Coverage of ${t(cov.from)} to ${t(cov.to)}, gaps over ${plural(cov.gap_hours, 'hour')}:`);
  for (const x of cov.sources) {
    const share = x.hours_share === null ? '-' : `${Math.round(x.hours_share * 1000) / 10}%`;
    out.push(`  ${terminalSafe(x.source)}  ${n(x.events_in_window)} of ${plural(x.events, 'event')} in the window  ${t(x.first_event)} .. ${t(x.last_event)}  hours with events ${n(x.hours_with_events)} of ${n(x.window_hours)} (${share})`);
    for (const g of x.gaps.slice(0, GAPS_SHOWN)) out.push(`    no events ${t(g.from)} .. ${t(g.to)} (${g.hours} h${g.at === 'inside' ? '' : `, at the ${g.at} of the window`})`);
    if (x.gaps.length > GAPS_SHOWN) out.push(`    ... ${n(x.gaps.length - GAPS_SHOWN)} more gaps (analyze --json and the report list them all)`);
  }
  return `${out.join('\n')}\n`;
}
