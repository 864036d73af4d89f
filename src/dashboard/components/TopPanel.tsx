import { Box, Text } from 'ink';
import type { PanelRow } from '../dashboard-source.js';
import { cell, count, pageTop } from '../layout.js';

export type PanelColumn = 'documents' | 'ips' | 'accounts';
const COLUMN_TITLES: Record<PanelColumn, string> = { documents: 'docs', ips: 'IPs', accounts: 'accts' };

export interface PanelFrameProps {
  readonly title: string;
  readonly focused: boolean;
  readonly selected: number;
  readonly total: number;
  readonly filter: string;
  readonly width: number;
}

/** The title line every panel has: a marker when focused, the filter, and the selected row's number. */
export function PanelTitle({ title, focused, selected, total, filter, width }: PanelFrameProps) {
  const where = total > 0 ? `${count(selected + 1)}/${count(total)}` : '';
  const left = `${focused ? '▸' : ' '} ${title}${filter ? ` /${filter}/` : ''}`;
  return (
    <Text wrap="truncate-end">
      <Text bold inverse={focused}>
        {cell(left, Math.max(0, width - where.length - 1))}
      </Text>
      <Text dimColor>{` ${where}`}</Text>
    </Text>
  );
}

export interface PanelLineProps {
  readonly text: string;
  readonly selected: boolean;
  readonly focused: boolean;
}

/** One row: the selected row of the focused panel carries a visible marker and is shown inverse. */
export function PanelLine({ text, selected, focused }: PanelLineProps) {
  const mark = selected && focused;
  return (
    <Text wrap="truncate-end" inverse={mark}>
      {`${mark ? '›' : ' '} ${text}`}
    </Text>
  );
}

export interface TopPanelProps extends Omit<PanelFrameProps, 'total'> {
  readonly keyTitle: string;
  readonly rows: readonly PanelRow[];
  readonly columns: readonly PanelColumn[];
  /** Data rows shown; the panel scrolls a page at a time. */
  readonly height: number;
  readonly loading: boolean;
}

/** A top list (client IPs, accounts or documents): key, accesses, and two distinct counts. */
export function TopPanel(p: TopPanelProps) {
  const keyWidth = Math.max(4, p.width - 2 - 9 - 6 * p.columns.length);
  const line = (key: string, accesses: string, cells: readonly string[]) =>
    `${cell(key, keyWidth)}${accesses.padStart(9)}${cells.map((c) => c.padStart(6)).join('')}`;
  const top = pageTop(p.selected, p.height);
  const shown = p.rows.slice(top, top + p.height);
  const empty = p.loading ? 'searching…' : p.filter ? `no ${p.keyTitle} contains '${p.filter}'` : 'none';
  return (
    <Box flexDirection="column" width={p.width} height={p.height + 2}>
      <PanelTitle {...p} total={p.rows.length} />
      <Text dimColor wrap="truncate-end">
        {`  ${line(p.keyTitle, 'accesses', p.columns.map((c) => COLUMN_TITLES[c]))}`}
      </Text>
      {shown.length === 0 ? <Text dimColor>{`  ${cell(empty, p.width - 2)}`}</Text> : null}
      {shown.map((r, i) => (
        <PanelLine
          key={`${top + i}`}
          text={line(r.key, count(r.accesses), p.columns.map((c) => count(r[c])))}
          selected={top + i === p.selected}
          focused={p.focused}
        />
      ))}
    </Box>
  );
}
