import type { CaseFile } from '../case/case-file.js';
import type { DiffAccess, PackDiff } from './pack-diff.js';
import type { Block, Section } from './section.js';

/**
 * "Changes since the previous report" (report --previous OLD_PACK) and the notification phase:
 * sections of the report model, drawn by both renderers.
 */

const n = (v: number) => v.toLocaleString('en-US');

function accessTable(rows: readonly DiffAccess[], total: number, what: string, maxRows: number): Block {
  return {
    kind: 'table',
    headers: ['time (UTC)', 'client IP', 'account', 'document', 'file', 'line'],
    rows: rows.map((r) => [r.event_time, r.client_ip ?? '-', r.account ?? '-', r.document, r.file, r.line]),
    empty: `No ${what} access.`,
    note: total > rows.length ? `Showing the first ${n(Math.min(rows.length, maxRows))} ${what} accesses of ${n(total)}; breachscope diff lists them, the evidence files hold every access.` : '',
  };
}

function windowText(w: PackDiff['window']['old']): string {
  return w ? `${w.from ?? 'open'} to ${w.to ?? 'open'}` : 'not recorded';
}

export function changesSection(d: PackDiff): Section {
  const idList = (ids: readonly string[], total: number) => (total === 0 ? 'none' : `${ids.join(', ')}${total > ids.length ? ` and ${n(total - ids.length)} more` : ''}`);
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text: `Compared with the report generated ${d.old.generated_at} (phase ${d.old.phase}${d.old.reference ? `, reference ${d.old.reference}` : ''}): ${n(d.added.accesses)} new and ${n(d.removed.accesses)} withdrawn unauthorized accesses. An access is identified by its time and raw log line (identical lines by their number), so a rotated or recompressed log does not make it new.`,
    },
    {
      kind: 'table',
      headers: ['', 'new', 'withdrawn', 'previous report', 'this report'],
      rows: [
        ['accesses', d.added.accesses, d.removed.accesses, d.old.figures.unauthorized_accesses, d.new.figures.unauthorized_accesses],
        ['documents', d.added.documents, d.removed.documents, d.old.figures.documents, d.new.figures.documents],
        ['people', d.added.people, d.removed.people, d.old.figures.affected_subjects, d.new.figures.affected_subjects],
        ['client IPs', d.added.ips, d.removed.ips, d.old.figures.unique_ips, d.new.figures.unique_ips],
      ],
      empty: '',
    },
    {
      kind: 'facts',
      rows: [
        { label: 'Window', value: d.window.changed ? `${windowText(d.window.old)} before, now ${windowText(d.window.new)}` : `unchanged (${windowText(d.window.new)})` },
        { label: 'Case file', value: d.case_file.changed ? `changed: SHA-256 ${d.case_file.old_sha256} before, now ${d.case_file.new_sha256}` : 'unchanged' },
        { label: 'Log files', value: `${d.inputs.added.map((i) => `+ ${i.path}`).concat(d.inputs.removed.map((i) => `- ${i.path}`)).join('; ') || 'unchanged'}` },
        { label: 'Coverage', value: d.coverage.map((c) => `${c.source}: ${c.old?.events_in_window ?? 'none'} events in the window before, now ${c.new?.events_in_window ?? 'none'}`).join('; ') || 'unchanged' },
        { label: 'New documents', value: idList(d.lists.added.documents, d.added.documents) },
        { label: 'Withdrawn documents', value: idList(d.lists.removed.documents, d.removed.documents) },
        { label: 'New people', value: idList(d.lists.added.people, d.added.people) },
        { label: 'Withdrawn people', value: idList(d.lists.removed.people, d.removed.people) },
        { label: 'New client IPs', value: idList(d.lists.added.ips, d.added.ips) },
        { label: 'Withdrawn client IPs', value: idList(d.lists.removed.ips, d.removed.ips) },
      ],
    },
    { kind: 'paragraph', text: 'New accesses' },
    accessTable(d.lists.added.accesses, d.added.accesses, 'new', d.max_rows),
    { kind: 'paragraph', text: 'Withdrawn accesses (counted in the previous report, not in this one)' },
    accessTable(d.lists.removed.accesses, d.removed.accesses, 'withdrawn', d.max_rows),
  ];
  return { id: 'changes', title: 'Changes since the previous report', blocks };
}

/** The notification phase and the regulator's reference, when the case file gives either. */
export function phaseSection(caseFile: CaseFile): Section | undefined {
  const b = caseFile.breach;
  if (b.phase === undefined && b.reference === undefined) return undefined;
  return {
    id: 'notification-phase',
    title: 'Notification',
    blocks: [{ kind: 'facts', rows: [
      { label: 'Phase', value: b.phase === 'follow-up' ? 'follow-up report (GDPR Art. 33(4): information provided in phases)' : 'initial report' },
      { label: "Regulator's reference", value: b.reference ?? 'not yet assigned', ...(b.reference === undefined ? { todo: true } : {}) },
    ] }],
  };
}
