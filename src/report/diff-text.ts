import type { DiffAccess, DiffCounts, DiffLists, PackDiff } from './pack-diff.js';
import { isEmptyDiff } from './pack-diff.js';
import { terminalSafe } from '../util/terminal-safe.js';

/** `breachscope diff` as text: counts first, then what changed around the figures, then the lists. */

const n = (v: number) => v.toLocaleString('en-US');
const t = terminalSafe;

function access(a: DiffAccess): string {
  return `    ${a.event_time}  ${t(a.client_ip ?? '-')}  ${t(a.account ?? '-')}  ${t(a.document)}  ${t(a.file)}:${a.line}`;
}

function lists(title: string, counts: DiffCounts, l: DiffLists): string[] {
  const out: string[] = [];
  const more = (shown: number, total: number) => (total > shown ? [`    ... and ${n(total - shown)} more`] : []);
  if (counts.accesses > 0) out.push(`${title} accesses (${n(counts.accesses)}):`, ...l.accesses.map(access), ...more(l.accesses.length, counts.accesses));
  for (const [key, label] of [['documents', 'documents'], ['people', 'people'], ['ips', 'client IPs']] as const) {
    if (counts[key] > 0) out.push(`${title} ${label} (${n(counts[key])}):`, ...l[key].map((v) => `    ${t(v)}`), ...more(l[key].length, counts[key]));
  }
  return out;
}

export function diffText(d: PackDiff): string {
  const side = (s: PackDiff['old']) => `${t(s.pack)} (generated ${s.generated_at}, ${s.phase}${s.reference ? `, reference ${t(s.reference)}` : ''})`;
  const row = (label: string, k: keyof DiffCounts) => `  ${label.padEnd(12)} ${`+${n(d.added[k])}`.padStart(8)} ${`-${n(d.removed[k])}`.padStart(8)}`;
  const win = (w: PackDiff['window']['old']) => (w ? `${w.from ?? 'open'} to ${w.to ?? 'open'}` : 'not recorded');
  const out = [
    `From ${side(d.old)}`,
    `to   ${side(d.new)}:`,
    isEmptyDiff(d) ? 'No change: the same accesses, documents, people and client IPs, window, case file, log files and coverage.' : `${n(d.added.accesses)} new and ${n(d.removed.accesses)} withdrawn unauthorized accesses.`,
    `  ${''.padEnd(12)} ${'new'.padStart(8)} ${'withdrawn'.padStart(8)}`,
    row('accesses', 'accesses'), row('documents', 'documents'), row('people', 'people'), row('client IPs', 'ips'),
    `Figures: ${n(d.old.figures.unauthorized_accesses)} -> ${n(d.new.figures.unauthorized_accesses)} accesses, ${n(d.old.figures.documents)} -> ${n(d.new.figures.documents)} documents, ${n(d.old.figures.affected_subjects)} -> ${n(d.new.figures.affected_subjects)} people, ${n(d.old.figures.unique_ips)} -> ${n(d.new.figures.unique_ips)} client IPs`,
    `Window: ${d.window.changed ? `${win(d.window.old)} -> ${win(d.window.new)}` : `unchanged (${win(d.window.new)})`}`,
    `Case file: ${d.case_file.changed ? `changed (SHA-256 ${d.case_file.old_sha256} -> ${d.case_file.new_sha256})` : 'unchanged'}`,
    ...d.inputs.added.map((i) => `  + ${t(i.role)}: ${t(i.path)}  sha256 ${i.sha256}`),
    ...d.inputs.removed.map((i) => `  - ${t(i.role)}: ${t(i.path)}  sha256 ${i.sha256}`),
    ...d.coverage.map((c) => `Coverage of ${t(c.source)}: ${c.old ? `${n(c.old.events_in_window)} events in the window, ${c.old.first_event ?? '-'} to ${c.old.last_event ?? '-'}` : 'absent'} -> ${c.new ? `${n(c.new.events_in_window)}, ${c.new.first_event ?? '-'} to ${c.new.last_event ?? '-'}` : 'absent'}`),
    ...lists('New', d.added, d.lists.added),
    ...lists('Withdrawn', d.removed, d.lists.removed),
  ];
  return `${out.join('\n')}\n`;
}
