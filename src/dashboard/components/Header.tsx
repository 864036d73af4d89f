import { Box, Text } from 'ink';
import type { Analysis, Summary } from '../../analyze/analysis.js';
import type { IngestState, Snapshot } from '../dashboard-source.js';
import { displayWidth } from '../../util/terminal-safe.js';
import { cell, count, plural, shortUtc } from '../layout.js';

export interface HeaderProps {
  readonly title: string;
  readonly snapshot: Snapshot | undefined;
  readonly ingest: IngestState;
  readonly width: number;
}

/** The first text that fits `width`, else the last (the shortest), clipped. */
function fitting(variants: readonly string[], width: number): string {
  return variants.find((v) => displayWidth(v) <= width) ?? variants[variants.length - 1]!;
}

/** The figures sentence of `analyze`, shorter as the numbers grow or the terminal narrows. */
function figureLines(s: Summary): string[] {
  const [a, d, i, p] = [s.unauthorized_accesses, s.documents, s.unique_ips, s.affected_subjects];
  const accesses = plural(a, 'unauthorized access', 'unauthorized accesses');
  return [
    `${accesses} · ${plural(d, 'document', 'documents')} · ${plural(i, 'unique IP', 'unique IPs')} · ${plural(p, 'person', 'people')} affected`,
    `${accesses} · ${plural(d, 'document', 'documents')} · ${plural(i, 'IP', 'IPs')} · ${plural(p, 'person', 'people')}`,
    `${count(a)} unauthorized · ${plural(d, 'doc', 'docs')} · ${plural(i, 'IP', 'IPs')} · ${plural(p, 'person', 'people')}`,
  ];
}

function windowLines(w: Analysis['window'], s: Summary): string[] {
  const span =
    w.from && w.to ? `${shortUtc(w.from)} → ${shortUtc(w.to)} UTC` : w.from ? `from ${shortUtc(w.from)} UTC` : w.to ? `until ${shortUtc(w.to)} UTC` : 'none: all the logs';
  const signedIn = count(s.unauthorized_accesses - s.anonymous_accesses);
  return [
    `window  ${span} · ${signedIn} signed-in, ${count(s.anonymous_accesses)} anonymous`,
    `window  ${span} · ${signedIn} signed-in, ${count(s.anonymous_accesses)} anon.`,
    `window  ${span}`,
  ];
}

/** Case title, the headline figures exactly as `analyze` counts them, the window and the ingest state. */
export function Header({ title, snapshot, ingest, width }: HeaderProps) {
  const state = `${ingest.following ? 'following' : 'not following'}${ingest.updated ? ` · updated ${ingest.updated}` : ''}`;
  const titleWidth = Math.max(0, width - state.length - 1);
  const a = snapshot?.analysis;
  const s = a?.summary;
  const figures = s ? fitting(figureLines(s), width) : 'analysing…';
  const window = a ? fitting(windowLines(a.window, s!), width) : 'window';
  const i = a?.ingest;
  // A file that grew has a row per ingest in the store; a person counts it once.
  const files = i ? `ingest  ${plural(new Set(i.files.map((f) => f.path)).size, 'file', 'files')} · ${plural(i.lines, 'line', 'lines')} · ${count(i.rejected_lines)} rejected` : 'ingest';
  // Never a confident zero: what analyze warns of is named here too (its codes; analyze prints the messages).
  const warned = a && a.warnings.length > 0 ? ` · ! ${plural(a.warnings.length, 'warning', 'warnings')}: ${[...new Set(a.warnings.map((w) => w.code))].join(', ')}` : '';
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
        {cell(files, ingest.error || warned ? Math.min(displayWidth(files), width) : width)}
        {ingest.error ? <Text color="red">{cell(` · ingest failed: ${ingest.error}`, Math.max(0, width - files.length))}</Text> : null}
        {!ingest.error && warned ? <Text color="yellow">{cell(warned, Math.max(0, width - displayWidth(files)))}</Text> : null}
      </Text>
    </Box>
  );
}
