import { Box, Text } from 'ink';
import type { IngestState, Snapshot } from '../dashboard-source.js';
import { cell, count, plural, shortUtc } from '../layout.js';

export interface HeaderProps {
  readonly title: string;
  readonly snapshot: Snapshot | undefined;
  readonly ingest: IngestState;
  readonly width: number;
}

/** Case title, the headline figures exactly as `analyze` counts them, the window and the ingest state. */
export function Header({ title, snapshot, ingest, width }: HeaderProps) {
  const state = `${ingest.following ? 'following' : 'not following'}${ingest.updated ? ` · updated ${ingest.updated}` : ''}`;
  const titleWidth = Math.max(0, width - state.length - 1);
  const a = snapshot?.analysis;
  const s = a?.summary;
  const figures = s
    ? `${plural(s.unauthorized_accesses, 'unauthorized access', 'unauthorized accesses')} · ${plural(s.documents, 'document', 'documents')} · ` +
      `${plural(s.unique_ips, 'unique IP', 'unique IPs')} · ${plural(s.affected_subjects, 'person', 'people')} affected`
    : 'analysing…';
  const window = a
    ? `window  ${a.window.from ? shortUtc(a.window.from) : 'start of the logs'} → ${a.window.to ? shortUtc(a.window.to) : 'end of the logs'} UTC` +
      (s ? ` · ${count(s.unauthorized_accesses - s.anonymous_accesses)} signed-in, ${count(s.anonymous_accesses)} anonymous` : '')
    : 'window';
  const i = a?.ingest;
  // A file that grew has a row per ingest in the store; a person counts it once.
  const files = i ? `ingest  ${plural(new Set(i.files.map((f) => f.path)).size, 'file', 'files')} · ${plural(i.lines, 'line', 'lines')} · ${count(i.rejected_lines)} rejected` : 'ingest';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold>{cell(title, titleWidth)}</Text> <Text color={ingest.error ? 'red' : undefined}>{state}</Text>
      </Text>
      <Text bold wrap="truncate-end">
        {cell(figures, width)}
      </Text>
      <Text wrap="truncate-end">{cell(window, width)}</Text>
      <Text wrap="truncate-end">
        {cell(files, ingest.error ? Math.min(files.length, width) : width)}
        {ingest.error ? <Text color="red">{cell(` · ingest failed: ${ingest.error}`, Math.max(0, width - files.length))}</Text> : null}
      </Text>
    </Box>
  );
}
