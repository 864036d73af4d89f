import stringWidth from 'string-width';

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

const PLAIN = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter();

/** Columns a text takes on a terminal: a CJK or fullwidth letter takes two, a combining mark none. */
export function displayWidth(text: string): number {
  return PLAIN.test(text) ? text.length : stringWidth(text);
}

/** The longest start of `text` that fits `columns`, cut between whole characters (graphemes). */
export function sliceColumns(text: string, columns: number): string {
  if (PLAIN.test(text)) return text.slice(0, Math.max(0, columns));
  let used = 0;
  let end = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > columns) break;
    used += w;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** Shortens to `max` terminal columns with an ellipsis, after making the text safe. */
export function clip(value: unknown, max: number): string {
  const s = terminalSafe(value);
  const fits = sliceColumns(s, max);
  return fits.length === s.length ? s : `${sliceColumns(s, Math.max(0, max - 1))}…`;
}
