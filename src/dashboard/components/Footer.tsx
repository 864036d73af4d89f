import { Text } from 'ink';
import type { Prompt } from '../dashboard-state.js';
import { displayWidth } from '../../util/terminal-safe.js';
import { cell } from '../layout.js';

const HINTS = {
  overview: '↑↓ row  Tab panel  Enter events  a actor  / filter  w window  ? keys  q quit',
  events: '↑↓ row  PgUp/PgDn page  Enter raw line  Esc back  / filter  ? keys  q quit',
  event: 'Esc back  w window  ? keys  q quit',
} as const;

export interface FooterProps {
  readonly prompt: Prompt | undefined;
  readonly message: string | undefined;
  readonly mode: keyof typeof HINTS;
  readonly width: number;
}

/** The last line: the prompt being typed, else a message, else the keys that work here. */
export function Footer({ prompt, message, mode, width }: FooterProps) {
  if (prompt) {
    const label = prompt.kind === 'filter' ? 'filter: ' : 'window (FROM .. TO, ISO 8601): ';
    const error = prompt.error ? `  ${prompt.error}` : '';
    const input = `${label}${prompt.text}▏`;
    return (
      <Text wrap="truncate-start">
        <Text bold>{cell(input, Math.min(width, displayWidth(input)))}</Text>
        <Text color="red">{cell(error, Math.max(0, width - displayWidth(input)))}</Text>
      </Text>
    );
  }
  if (message) {
    return (
      <Text color={message.startsWith('error') ? 'red' : 'yellow'} wrap="truncate-end">
        {cell(message, width)}
      </Text>
    );
  }
  return (
    <Text dimColor wrap="truncate-end">
      {cell(HINTS[mode], width)}
    </Text>
  );
}
