import { Box, Text } from 'ink';
import { enumerationText } from '../../analyze/actors.js';
import type { ActorView } from '../dashboard-state.js';
import { cell, shortUtc } from '../layout.js';

export interface ActorTimelineProps {
  readonly view: ActorView;
  readonly width: number;
  readonly height: number;
}

/** The lines of an actor's view: its figures, then its sessions, then its client IPs with their context. */
export function actorLines(view: ActorView): { text: string; bold?: boolean }[] {
  const d = view.detail;
  if (!d) return [];
  const a = d.actor;
  const who = a.kind === 'account' ? `account ${a.actor}` : `anonymous client ${a.actor}`;
  const lines: { text: string; bold?: boolean }[] = [
    { text: `${who} · ${a.accesses} accesses · ${a.documents} documents · ${a.sessions} sessions · ${a.ips} IPs · ${a.user_agents} UAs`, bold: true },
    { text: `requests ${shortUtc(a.first_request)} .. ${shortUtc(a.last_request)} (UTC)` },
    { text: `first access ${shortUtc(a.first_access)} after ${a.attempts_before_first_access} attempts (401/403/404)` },
  ];
  if (a.enumeration) lines.push({ text: `enumeration: ${enumerationText(a.enumeration)}` });
  if (a.crawler) lines.push({ text: `known crawler: ${a.crawler} (${a.crawler_accesses} accesses)` });
  if (d.accountsFromIp.length > 0) lines.push({ text: `accounts from ${view.key}: ${d.accountsFromIp.join(' ')}` });
  lines.push({ text: 'sessions (30 min of silence ends one)', bold: true });
  for (const s of d.sessions) {
    const from = shortUtc(s.from);
    const to = shortUtc(s.to);
    // A session within one day shows its end as a time only.
    const end = to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to;
    lines.push({ text: `${String(s.session).padStart(4)}  ${from} .. ${end}  ${s.requests} req ${s.accesses} acc ${s.attempts} att ${s.documents} docs  ${s.ips.join(' ')}` });
  }
  lines.push({ text: 'client IPs', bold: true });
  for (const ip of d.ips) {
    const context = [ip.asn, ip.as_org, ip.country, ip.lists.join(',')].filter((x) => x).join(' · ');
    lines.push({ text: `  ${ip.client_ip}  ${ip.requests} req${context ? `  ${context}` : ''}` });
  }
  return lines;
}

/** An actor's timeline; every value from a log goes through `cell` (terminal-safe, clipped to the width). */
export function ActorTimelineView({ view, width, height }: ActorTimelineProps) {
  if (view.detail === undefined) return <Text dimColor>loading…</Text>;
  if (view.detail === null) return <Text dimColor>{cell(`no actor with an unauthorized access behind ${view.key}`, width)}</Text>;
  const lines = actorLines(view);
  const shown = lines.length > height ? [...lines.slice(0, height - 1), { text: `… ${lines.length - height + 1} more lines (breachscope actors --actor shows them all)` }] : lines;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((l, i) => (
        <Text key={i} bold={l.bold ?? false} wrap="truncate-end">
          {cell(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
