import type { Analysis, TopRow } from '../findings/analysis.js';
import { figuresSentence } from './figures-sentence.js';
import { clip, terminalSafe } from './terminal-safe.js';

const n = (x: number) => x.toLocaleString('en');
/** Gaps listed per source in the text output; --json and the report list them all. */
const GAPS_SHOWN = 5;

type Column = 'documents' | 'ips' | 'accounts';
const COLUMN_TITLES: Record<Column, string> = { documents: 'documents', ips: 'IPs', accounts: 'accounts' };

/** A top list; the column that counts the key's own kind (always 1) is left out. */
function table(title: string, rows: readonly TopRow[], keyTitle: string, columns: readonly Column[]): string[] {
  if (rows.length === 0) return [];
  const keyWidth = Math.min(40, Math.max(keyTitle.length, ...rows.map((r) => terminalSafe(r.key).length)));
  const head = columns.map((c) => COLUMN_TITLES[c]);
  const out = [title, `  ${keyTitle.padEnd(keyWidth)}  accesses  ${head.join('  ')}  people  first seen            last seen`];
  for (const r of rows) {
    const cells = columns.map((c, i) => String(r[c]).padStart(head[i]!.length));
    out.push(`  ${clip(r.key, keyWidth).padEnd(keyWidth)}  ${String(r.accesses).padStart(8)}  ${cells.join('  ')}  ${String(r.subjects).padStart(6)}  ${r.first ?? '-'}  ${r.last ?? '-'}`);
  }
  out.push('');
  return out;
}

/** What a responder reads first, in the order they need it. Every log-derived string is made terminal-safe. */
export function renderTextReport(a: Analysis): string {
  const s = a.summary;
  const out: string[] = [];
  out.push(terminalSafe(a.case), '='.repeat(Math.min(78, terminalSafe(a.case).length)), '');
  out.push(`${figuresSentence(s)}.`, '');
  if (a.warnings.length > 0) {
    out.push('Before relying on these figures:');
    for (const w of a.warnings) out.push(`  ! ${w.code}: ${terminalSafe(w.message)}`);
    out.push('');
  }
  out.push(`Window analysed:   ${a.window.from ?? 'start of the logs'} to ${a.window.to ?? 'end of the logs'} (UTC, to exclusive)`);
  out.push(`Exposure observed: ${s.first_access ?? '-'} to ${s.last_access ?? '-'} (first and last unauthorized access)`);
  out.push(`Signed-in:         ${n(s.unauthorized_accesses - s.anonymous_accesses)} accesses by ${n(s.accounts)} account(s); anonymous: ${n(s.anonymous_accesses)}`);
  out.push(`People affected:   counted from the ${s.subjects_from}`);
  const c = a.context;
  out.push(
    `Not counted:       ${n(c.authorized_disclosures)} authorized disclosures (owner, grant, staff), ${n(c.outside_window_disclosures)} outside the window, ` +
      `${n(c.unknown_document_disclosures)} of ids not in the owners file, ${n(c.attempts)} refused attempts`,
    '',
  );
  out.push(...table('Top client IPs', a.top.ips, 'client IP', ['documents', 'accounts']));
  out.push(...table('Top accounts', a.top.accounts, 'account', ['documents', 'ips']));
  out.push(...table('Top documents', a.top.documents, 'document', ['ips', 'accounts']));
  out.push('Detectors');
  for (const d of a.detectors) {
    const count = d.error ? `ERROR ${d.file}${d.line ? `:${d.line}` : ''}: ${terminalSafe(d.error)}` : n(d.findings ?? 0);
    out.push(`  ${d.id.padEnd(32)} ${(d.counts_as ?? '?').padEnd(10)} ${count}`);
  }
  out.push('');
  out.push(`Ingest coverage: ${a.ingest.files.length} file(s), ${n(a.ingest.lines)} lines, ${n(a.ingest.events)} events, ${n(a.ingest.rejected_lines)} rejected`);
  for (const f of a.ingest.files) {
    out.push(
      `  ${terminalSafe(f.source)}  ${terminalSafe(f.path)}  ${f.format}  lines ${n(f.lines)}  rejected ${n(f.rejected)}  ` +
        `${f.first_time ?? '-'} .. ${f.last_time ?? '-'}  sha256 ${f.sha256.slice(0, 16)}…`,
    );
    if (f.counted_with) out.push(`    same lines as ${terminalSafe(f.counted_with)}: counted once, under that file`);
    for (const w of f.warnings) out.push(`    warning: ${terminalSafe(w)}`);
    for (const x of f.reject_examples.slice(0, 5)) out.push(`    rejected ${terminalSafe(f.path)}:${x.line}: ${clip(x.reason, 140)}`);
    if (f.rejected > 5) out.push(`    ... ${n(f.rejected - 5)} more rejected lines in this file (analyze --json lists 20; all are in the store's rejects table)`);
  }
  const cov = a.coverage;
  out.push('', `Coverage of ${cov.from ?? '-'} to ${cov.to ?? '-'} (UTC), gaps over ${cov.gap_hours} h:`);
  for (const x of cov.sources) {
    const share = x.hours_share === null ? '-' : `${Math.round(x.hours_share * 1000) / 10}%`;
    out.push(`  ${terminalSafe(x.source)}  ${n(x.events_in_window)} of ${n(x.events)} events in the window  ${x.first_event ?? '-'} .. ${x.last_event ?? '-'}  hours with events ${n(x.hours_with_events)} of ${n(x.window_hours)} (${share})`);
    for (const g of x.gaps.slice(0, GAPS_SHOWN)) out.push(`    no events ${g.from} .. ${g.to} (${g.hours} h${g.at === 'inside' ? '' : `, at the ${g.at} of the window`})`);
    if (x.gaps.length > GAPS_SHOWN) out.push(`    ... ${n(x.gaps.length - GAPS_SHOWN)} more gaps (analyze --json and the report list them all)`);
  }
  return `${out.join('\n')}\n`;
}
