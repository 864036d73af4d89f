/**
 * Log fields are written by attackers. Before any of them reaches a terminal, control
 * characters (C0, DEL, C1, including ESC that starts escape sequences) and the Unicode
 * bidirectional overrides become visible escapes such as `\x1b`, so they cannot move the
 * cursor, retitle the window or reorder what the reader sees.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Shortens to `max` characters with an ellipsis, after making the text safe. */
export function clip(value: unknown, max: number): string {
  const s = terminalSafe(value);
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
