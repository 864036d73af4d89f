import { Box, Text } from 'ink';
import { cell } from '../layout.js';

export const KEYS: readonly (readonly [string, string])[] = [
  ['← → Tab S-Tab', 'move between panels'],
  ['↑ ↓ j k', 'move between rows'],
  ['PgUp PgDn Home End', 'a page up or down, first or last row'],
  ['Enter', 'list the events behind the row; on an event, its raw line'],
  ['a', 'the actor of an IP or account: sessions, IPs'],
  ['Esc', 'back; in the overview, clear the panel filter'],
  ['/', 'filter panel or list by text (Enter applies, Esc cancels)'],
  ['w', 'change the window: FROM .. TO, ISO 8601, empty side = open'],
  ['?', 'show or hide these keys'],
  ['q  Ctrl+C', 'quit and restore the terminal'],
];

export function KeysHelp({ width, height }: { readonly width: number; readonly height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>Keys</Text>
      {KEYS.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          {cell(`  ${k.padEnd(20)}${what}`, width)}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {cell('  any key closes this list', width)}
      </Text>
    </Box>
  );
}
