import { barTitle } from './chart-caption.js';
import { escapeHtml } from './html-escape.js';
import type { TimelineChart } from './section.js';

const W = 900;
const H = 216;
const LEFT = 48;
const RIGHT = 14;
const TOP = 16;
const AXIS = 176;
const PLOT = AXIS - TOP;
const SLOT_MIN_TICK = 130;
const CHAR = 6.4;

const f = (n: number) => n.toFixed(1);

/**
 * The timeline as inline SVG: one bar per bucket, each with its value on hover (`<title>`), the
 * peak and zero on the value axis, dated ticks in the display zone, the window's edges as dashed
 * lines and coverage gaps as grey bands under the axis. Every text is escaped; no script.
 */
export function chartSvg(c: TimelineChart): string {
  const n = c.bars.length;
  const slot = (W - LEFT - RIGHT) / n;
  const peak = Math.max(0, ...c.bars.map((b) => b.value));
  const x = instantToX(c, slot);
  const bars = c.bars
    .map((b, i) => {
      const h = peak === 0 ? 0 : (PLOT * b.value) / peak;
      const x0 = LEFT + i * slot;
      const gap = slot > 4 ? slot * 0.12 : 0;
      return (
        `<g class="b"><title>${escapeHtml(barTitle(c, b))}</title><rect class="hit" x="${f(x0)}" y="${TOP}" width="${f(slot)}" height="${PLOT}"/>` +
        `<rect class="bar" x="${f(x0 + gap)}" y="${f(AXIS - h)}" width="${f(slot - 2 * gap)}" height="${f(h)}"/></g>`
      );
    })
    .join('');
  const marks = c.marks
    .map((m) =>
      m.to === undefined
        ? `<g class="edge"><title>${escapeHtml(m.label)}</title><line x1="${f(x(m.at))}" y1="${TOP - 6}" x2="${f(x(m.at))}" y2="${AXIS}"/><line class="grip" x1="${f(x(m.at))}" y1="${TOP - 6}" x2="${f(x(m.at))}" y2="${AXIS}"/></g>`
        : `<rect class="gap" x="${f(x(m.at))}" y="${AXIS + 2}" width="${f(Math.max(2, x(m.to) - x(m.at)))}" height="6"><title>${escapeHtml(m.label)}</title></rect>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(c.title)}">` +
    `<line class="axis" x1="${LEFT}" y1="${AXIS}" x2="${W - RIGHT}" y2="${AXIS}"/><line class="axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${AXIS}"/>` +
    `<line class="grid" x1="${LEFT}" y1="${TOP}" x2="${W - RIGHT}" y2="${TOP}"/>` +
    `<text class="peak" x="${LEFT - 5}" y="${TOP + 4}" text-anchor="end">${peak}</text><text x="${LEFT - 5}" y="${AXIS + 4}" text-anchor="end">0</text>` +
    bars +
    marks +
    ticks(c, slot) +
    '</svg>'
  );
}

/** Where an instant falls: within the bar whose start precedes it, in proportion (bars of a local day may be 23 or 25 hours). */
function instantToX(c: TimelineChart, slot: number): (iso: string) => number {
  const starts = [...c.bars.map((b) => Date.parse(b.start)), Date.parse(c.end)];
  return (iso) => {
    const t = Date.parse(iso);
    if (t <= starts[0]!) return LEFT;
    if (t >= starts[starts.length - 1]!) return LEFT + c.bars.length * slot;
    let lo = 0;
    let hi = starts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid;
    }
    return LEFT + (lo + (t - starts[lo]!) / (starts[lo + 1]! - starts[lo]!)) * slot;
  };
}

/** Dated ticks far enough apart to read; a tick on the same day as the one before shows only its time. */
function ticks(c: TimelineChart, slot: number): string {
  const every = Math.max(1, Math.ceil(SLOT_MIN_TICK / slot));
  let out = '';
  let lastDate = '';
  for (let i = 0; i < c.bars.length; i += every) {
    const label = c.bars[i]!.label;
    const date = label.slice(0, 10);
    const text = label.length > 10 && date === lastDate ? label.slice(11) : label;
    lastDate = date;
    const x0 = LEFT + i * slot;
    if (x0 + text.length * CHAR > W) break;
    out += `<line class="tick" x1="${f(x0)}" y1="${AXIS}" x2="${f(x0)}" y2="${AXIS + 10}"/><text x="${f(x0 + 2)}" y="${AXIS + 22}">${escapeHtml(text)}</text>`;
  }
  return out;
}
