import { Box, Text } from 'ink';
import type { EventRow, PanelId } from '../dashboard-source.js';
import type { EventsView } from '../dashboard-state.js';
import { cell, count, pageTop, plural } from '../layout.js';
import { PanelLine } from './TopPanel.js';

export const TARGET_NAMES: Record<PanelId, string> = { ips: 'client IP', accounts: 'account', documents: 'document', detectors: 'detector' };

export interface EventListProps {
  readonly view: EventsView;
  readonly width: number;
  /** Event rows shown. */
  readonly height: number;
}

/** Column widths: time and status fixed, the rest shared out, IPs first (IPv6 is long). */
function widths(width: number): { ip: number; account: number; document: number; detectors: number } {
  const rest = Math.max(20, width - 2 - 19 - 3 - 5);
  const ip = Math.min(39, Math.max(15, Math.floor(rest * 0.3)));
  const account = Math.min(32, Math.max(8, Math.floor(rest * 0.2)));
  const document = Math.min(40, Math.max(8, Math.floor(rest * 0.24)));
  return { ip, account, document, detectors: Math.max(4, rest - ip - account - document) };
}

/** The events behind one row of a panel, a page at a time: time, IP, account, document, status, detector. */
export function EventList({ view, width, height }: EventListProps) {
  const w = widths(width);
  const line = (time: string, ip: unknown, account: unknown, document: unknown, status: unknown, detectors: unknown) =>
    `${cell(time, 19)} ${cell(ip, w.ip)} ${cell(account, w.account)} ${cell(document, w.document)} ${cell(status, 3, 'right')} ${cell(detectors, w.detectors)}`;
  const p = view.page;
  const total = p?.total ?? 0;
  const noun = view.target.panel === 'detectors' ? ['finding', 'findings'] : ['unauthorized access', 'unauthorized accesses'];
  const title = `Events of ${TARGET_NAMES[view.target.panel]} ${view.target.key}: ${p ? plural(total, noun[0]!, noun[1]!) : 'loading…'}${view.filter ? ` /${view.filter}/` : ''}`;
  const where = total > 0 ? `${count(view.selected + 1)}/${count(total)}` : '';
  const top = pageTop(view.selected, height);
  const rows: (EventRow | undefined)[] = [];
  for (let i = top; i < Math.min(top + height, total); i++) rows.push(p?.rows[i - p.offset]);
  return (
    <Box flexDirection="column" width={width} height={height + 2}>
      <Text wrap="truncate-end">
        <Text bold>{cell(title, Math.max(0, width - where.length - 1))}</Text>
        <Text dimColor>{` ${where}`}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">{`  ${line('time (UTC)', 'client IP', 'account', 'document', 'st.', 'detectors')}`}</Text>
      {p && total === 0 ? <Text dimColor>{`  ${view.filter ? `no event matches '${view.filter}'` : 'no events'}`}</Text> : null}
      {rows.map((r, i) => (
        <PanelLine
          key={`${top + i}`}
          text={r ? line(r.time ?? '-', r.client_ip, r.account ?? 'anonymous', r.document, r.status, r.detectors) : '…'}
          selected={top + i === view.selected}
          focused
        />
      ))}
    </Box>
  );
}
