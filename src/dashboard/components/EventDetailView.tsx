import { Box, Text } from 'ink';
import { showTime } from '../../report/report-model.js';
import { displayWidth, sliceColumns, terminalSafe } from '../../util/terminal-safe.js';
import type { EventView } from '../dashboard-state.js';
import { cell } from '../layout.js';

const LABEL = 10;

export interface EventDetailProps {
  readonly view: EventView;
  readonly zone: string | undefined;
  readonly width: number;
  readonly height: number;
}

/** `text` cut into lines of `width` terminal columns, after making it terminal-safe. */
export function wrapSafe(text: string, width: number): string[] {
  return cutColumns(terminalSafe(text), width);
}

/** Safe text cut into lines of at most `width` columns (a double-width letter is never split). */
function cutColumns(safe: string, width: number): string[] {
  const out: string[] = [];
  let rest = safe;
  while (rest.length > 0) {
    // A letter wider than the whole line still goes on one: the line is never empty.
    const part = sliceColumns(rest, width) || Array.from(rest)[0]!;
    out.push(part);
    rest = rest.slice(part.length);
  }
  return out.length > 0 ? out : [''];
}

/** Like `wrapSafe`, breaking at spaces where it can: for sentences, not for the raw line. */
export function wrapWordsSafe(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of terminalSafe(text).split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (displayWidth(next) <= width) {
      line = next;
      continue;
    }
    if (line) out.push(line);
    const parts = cutColumns(word, width);
    line = parts.pop() ?? '';
    out.push(...parts);
  }
  out.push(line);
  return out;
}

/** One event: where its line is (file:line, the file's SHA-256), what it says, and the raw line itself. */
export function EventDetailView({ view, zone, width, height }: EventDetailProps) {
  const d = view.detail;
  if (d === undefined) return <Text dimColor>loading…</Text>;
  if (d === null) return <Text dimColor>{`event ${view.eventId} is no longer in the store`}</Text>;
  const via = d.account_via && d.account_via !== 'log' ? ` (from ${d.account_via})` : '';
  const facts: (readonly [string, string])[] = [
    ['line', `${d.file}:${d.line} (source ${d.source})`],
    ['sha256', d.sha256],
    ['time', showTime(d.time, zone)],
    ['client', `${d.client_ip ?? '-'}${d.socket_ip && d.socket_ip !== d.client_ip ? ` · socket ${d.socket_ip}` : ''}${d.forwarded_for ? ` · forwarded-for ${d.forwarded_for}` : ''}`],
    ['account', d.account ? `${d.account}${via}` : 'anonymous'],
    ['request', `${d.method ?? '-'} ${d.path ?? '-'} → ${d.status ?? '-'}`],
    ['document', `${d.document ?? '-'}${d.authorized_by ? ` · authorized: ${d.authorized_by}` : ''}`],
    ['agent', d.user_agent ?? '-'],
    ...d.findings.map((f) => ['finding', `${f.detector} (${f.counts_as}): ${f.reason}`] as const),
  ];
  // Each fact wraps under its label; the raw line keeps at least three lines.
  const lines = facts.flatMap(([name, value]) => wrapWordsSafe(value, Math.max(10, width - LABEL)).map((part, i) => `${(i === 0 ? name : '').padEnd(LABEL)}${part}`));
  const shownFacts = lines.slice(0, Math.max(2, height - 4));
  const rawRoom = Math.max(1, height - shownFacts.length - 1);
  const raw = wrapSafe(d.raw, width);
  const shownRaw = raw.length > rawRoom ? [...raw.slice(0, rawRoom - 1), `… ${raw.length - rawRoom + 1} more line(s) of this raw line`] : raw;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shownFacts.map((f, i) => (
        <Text key={i} wrap="truncate-end">
          {f}
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
