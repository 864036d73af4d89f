import { Box, Text } from 'ink';
import type { DetectorSummary } from '../../analyze/analysis.js';
import { cell, count, pageTop } from '../layout.js';
import { PanelLine, PanelTitle, type PanelFrameProps } from './TopPanel.js';

export interface DetectorsPanelProps extends Omit<PanelFrameProps, 'total'> {
  readonly rows: readonly DetectorSummary[];
  readonly height: number;
}

/** Each detector with its finding count, as `analyze` lists them; a broken one shows ERROR. */
export function DetectorsPanel(p: DetectorsPanelProps) {
  const withKind = p.width >= 50;
  const idWidth = Math.max(4, p.width - 2 - 8 - (withKind ? 11 : 0));
  const line = (id: string, kind: string, n: string) => `${cell(id, idWidth)}${withKind ? ` ${cell(kind, 10)}` : ''}${n.padStart(8)}`;
  const top = pageTop(p.selected, p.height);
  const shown = p.rows.slice(top, top + p.height);
  return (
    <Box flexDirection="column" width={p.width} height={p.height + 2}>
      <PanelTitle {...p} total={p.rows.length} />
      <Text dimColor wrap="truncate-end">{`  ${line('detector', 'counts as', 'findings')}`}</Text>
      {shown.length === 0 ? <Text dimColor>{`  ${cell(p.filter ? `no detector matches '${p.filter}'` : 'none', p.width - 2)}`}</Text> : null}
      {shown.map((d, i) => (
        <PanelLine
          key={d.id}
          text={line(d.id, d.counts_as ?? '?', d.error ? 'ERROR' : count(d.findings ?? 0))}
          selected={top + i === p.selected}
          focused={p.focused}
        />
      ))}
    </Box>
  );
}
