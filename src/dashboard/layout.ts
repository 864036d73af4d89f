import { clip, displayWidth, sliceColumns } from '../util/terminal-safe.js';

export interface Size {
  readonly columns: number;
  readonly rows: number;
}

export const HEADER_ROWS = 4;
export const TIMELINE_ROWS = 3;
export const FOOTER_ROWS = 1;
const SMALLEST: Size = { columns: 30, rows: 10 };

/**
 * Lines the frame takes: one fewer than the terminal has. Ink redraws a shorter frame in place,
 * line by line; a frame as tall as the screen makes it clear the whole screen on every update.
 */
export function frameRows(size: Size): number {
  return Math.max(SMALLEST.rows, size.rows) - 1;
}

export function frameColumns(size: Size): number {
  return Math.max(SMALLEST.columns, size.columns);
}

/** Data rows per top panel in the overview: two rows of two panels under the header and timeline. */
export function panelBodyRows(size: Size): number {
  const grid = frameRows(size) - HEADER_ROWS - TIMELINE_ROWS - FOOTER_ROWS - 1;
  return Math.max(1, Math.floor(grid / 2) - 2);
}

/** Event rows shown in a drill-down list. */
export function listRows(size: Size): number {
  return Math.max(1, frameRows(size) - HEADER_ROWS - FOOTER_ROWS - 2);
}

/** The first row of the page holding `selected`: pages turn whole, so nothing jumps row by row. */
export function pageTop(selected: number, visible: number): number {
  return Math.floor(Math.max(0, selected) / Math.max(1, visible)) * Math.max(1, visible);
}

/** `text` padded with spaces to `width` terminal columns (a CJK letter takes two). */
export function padColumns(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const pad = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? `${text}${pad}` : `${pad}${text}`;
}

/** A log-derived value made terminal-safe, clipped and padded to exactly `width` terminal columns. */
export function cell(value: unknown, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  return padColumns(clip(value === null || value === undefined ? '-' : value, width), width, align);
}

/** Left and right text on one line of `width` columns, the left clipped to leave room for the right. */
export function spread(left: string, right: string, width: number): string {
  const r = sliceColumns(right, width);
  const room = width - displayWidth(r) - (r ? 1 : 0);
  return padColumns(`${cell(left, Math.max(0, room))}${r ? ' ' : ''}${r}`, width);
}

export const count = (n: number): string => n.toLocaleString('en');

export const plural = (n: number, one: string, many: string): string => `${count(n)} ${n === 1 ? one : many}`;

/** `2015-03-16T00:00:00Z` as `2015-03-16 00:00`, keeping seconds only when they are not zero. */
export function shortUtc(iso: string | null | undefined): string {
  if (!iso) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]}${m[3] && m[3] !== ':00' ? m[3] : ''}`;
}
