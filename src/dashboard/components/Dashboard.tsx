import { Box } from 'ink';
import { panelRows, topView, type DashboardState, type DetectorRow } from '../dashboard-state.js';
import type { PanelId, PanelRow } from '../dashboard-source.js';
import { FOOTER_ROWS, HEADER_ROWS, TIMELINE_ROWS, frameColumns, frameRows, listRows, panelBodyRows } from '../layout.js';
import { DetectorsPanel } from './DetectorsPanel.js';
import { EventDetailView } from './EventDetailView.js';
import { EventList } from './EventList.js';
import { ActorTimelineView } from './ActorTimelineView.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { KeysHelp } from './KeysHelp.js';
import { Timeline } from './Timeline.js';
import { TopPanel, type PanelColumn } from './TopPanel.js';

const KEY_PANELS: Record<Exclude<PanelId, 'detectors'>, { title: string; keyTitle: string; columns: readonly PanelColumn[] }> = {
  ips: { title: 'Top client IPs', keyTitle: 'client IP', columns: ['documents', 'accounts'] },
  accounts: { title: 'Top accounts', keyTitle: 'account', columns: ['documents', 'ips'] },
  documents: { title: 'Top documents', keyTitle: 'document', columns: ['ips', 'accounts'] },
};

/** The whole frame from the state alone: no I/O, so a test renders it at any size. */
export function Dashboard({ state }: { readonly state: DashboardState }) {
  const width = frameColumns(state.size);
  const height = frameRows(state.size);
  const bodyHeight = height - HEADER_ROWS - FOOTER_ROWS;
  const top = topView(state);
  const mode = top ? (top.kind === 'events' ? 'events' : 'event') : 'overview';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header title={state.title} snapshot={state.snapshot} ingest={state.ingest} width={width} />
      <Box flexDirection="column" width={width} height={bodyHeight} overflow="hidden">
        {state.help ? (
          <KeysHelp width={width} height={bodyHeight} />
        ) : !top ? (
          <Overview state={state} width={width} />
        ) : top.kind === 'events' ? (
          <EventList view={top} width={width} height={listRows(state.size)} />
        ) : top.kind === 'actor' ? (
          <ActorTimelineView view={top} width={width} height={bodyHeight} />
        ) : (
          <EventDetailView view={top} zone={state.zone} width={width} height={bodyHeight} />
        )}
      </Box>
      <Footer prompt={state.prompt} message={state.message} mode={mode} width={width} />
    </Box>
  );
}

function Overview({ state, width }: { readonly state: DashboardState; readonly width: number }) {
  const half = Math.floor(width / 2);
  const rows = panelBodyRows(state.size);
  const panel = (id: PanelId, w: number) => {
    const p = state.panels[id];
    const common = { focused: state.focus === id, selected: p.selected, filter: p.filter, width: w - 1, height: rows };
    if (id === 'detectors') return <DetectorsPanel {...common} title="Detectors" rows={panelRows(state, id) as readonly DetectorRow[]} />;
    const k = KEY_PANELS[id];
    return <TopPanel {...common} {...k} rows={panelRows(state, id) as readonly PanelRow[]} loading={Boolean(p.filter) && !p.filtered} />;
  };
  return (
    <Box flexDirection="column" width={width}>
      <Box height={TIMELINE_ROWS}>
        <Timeline timeline={state.snapshot?.timeline} width={width} />
      </Box>
      <Box height={1} />
      <Box flexDirection="row" width={width}>
        <Box width={half}>{panel('ips', half)}</Box>
        <Box width={width - half}>{panel('accounts', width - half)}</Box>
      </Box>
      <Box flexDirection="row" width={width}>
        <Box width={half}>{panel('documents', half)}</Box>
        <Box width={width - half}>{panel('detectors', width - half)}</Box>
      </Box>
    </Box>
  );
}
