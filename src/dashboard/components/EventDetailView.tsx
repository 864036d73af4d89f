import { Box, Text } from 'ink';
import { showTime } from '../../report/report-model.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import type { EventView } from '../dashboard-state.js';
import { cell } from '../layout.js';

export interface EventDetailProps {
  readonly view: EventView;
  readonly zone: string | undefined;
  readonly width: number;
  readonly height: number;
}

/** `text` cut into lines of `width` characters, after making it terminal-safe. */
export function wrapSafe(text: string, width: number): string[] {
  const safe = terminalSafe(text);
  const out: string[] = [];
  for (let i = 0; i < safe.length; i += width) out.push(safe.slice(i, i + width));
  return out.length > 0 ? out : [''];
}

/** One event: where its line is (file:line, the file's SHA-256), what it says, and the raw line itself. */
export function EventDetailView({ view, zone, width, height }: EventDetailProps) {
  const d = view.detail;
  if (d === undefined) return <Text dimColor>loading…</Text>;
  if (d === null) return <Text dimColor>{`event ${view.eventId} is no longer in the store`}</Text>;
  const label = (name: string, value: string) => `${name.padEnd(10)}${value}`;
  const via = d.account_via && d.account_via !== 'log' ? ` (from ${d.account_via})` : '';
  const facts = [
    label('line', `${d.file}:${d.line} (source ${d.source})`),
    label('sha256', d.sha256),
    label('time', showTime(d.time, zone)),
    label('client', `${d.client_ip ?? '-'}${d.socket_ip && d.socket_ip !== d.client_ip ? ` · socket ${d.socket_ip}` : ''}${d.forwarded_for ? ` · forwarded-for ${d.forwarded_for}` : ''}`),
    label('account', d.account ? `${d.account}${via}` : 'anonymous'),
    label('request', `${d.method ?? '-'} ${d.path ?? '-'} → ${d.status ?? '-'}`),
    label('document', `${d.document ?? '-'}${d.authorized_by ? ` · authorized: ${d.authorized_by}` : ''}`),
    label('agent', d.user_agent ?? '-'),
    ...d.findings.map((f) => label('finding', `${f.detector} (${f.counts_as}): ${f.reason}`)),
  ];
  const rawRoom = Math.max(1, height - facts.length - 2);
  const raw = wrapSafe(d.raw, width);
  const shownRaw = raw.length > rawRoom ? [...raw.slice(0, rawRoom - 1), `… ${raw.length - rawRoom + 1} more line(s) of this raw line`] : raw;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {facts.slice(0, Math.max(0, height - 3)).map((f, i) => (
        <Text key={i} wrap="truncate-end">
          {cell(f, width)}
        </Text>
      ))}
      <Text bold>{cell('raw line', width)}</Text>
      {shownRaw.map((r, i) => (
        <Text key={`raw${i}`} wrap="truncate-end">
          {r}
        </Text>
      ))}
    </Box>
  );
}
