import { chartCaption } from './chart-caption.js';
import { reportDocument } from './report-sections.js';
import type { ReportModel } from './report-model.js';
import type { Block, ReportDocument, Section, TimelineChart } from './section.js';

/**
 * A value in Markdown text or a table cell: every character that could open a link, an image,
 * an autolink, an HTML tag, emphasis, code or a heading is backslash-escaped (so `|` cannot end a
 * cell and `[x](y)` or `<http://...>` cannot become a link), line breaks become spaces, and `://`,
 * `www.` and `@` are broken so no autolink forms. Plain parentheses stay as they are: without an
 * escaped `]` before them they cannot form a link.
 */
export function escapeMd(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]<>#|!~&@]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`);
}

/** Inline code for a plain token (a warning code); anything else is escaped text. */
function codeSpan(text: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(text) ? `\`${text}\`` : escapeMd(text);
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

const row = (cells: readonly unknown[]) => `| ${cells.map(escapeMd).join(' | ')} |`;

function tableMd(b: Extract<Block, { kind: 'table' }>): string {
  if (b.rows.length === 0) return escapeMd(b.empty);
  const lines = [row(b.headers), `|${b.headers.map(() => '---').join('|')}|`, ...b.rows.map(row)];
  if (b.note) lines.push('', `_${escapeMd(b.note)}_`);
  return lines.join('\n');
}

/** Gaps listed under the chart in Markdown; past that, one sentence (the appendix lists every gap). */
const LISTED_GAPS = 10;

/** The chart as a table of the buckets that hold accesses, then what the chart marks. */
function chartMd(c: TimelineChart): string {
  const held = c.bars.filter((b) => b.value > 0);
  const empty = c.bars.length - held.length;
  const lines = [escapeMd(chartCaption(c)), '', row([`${c.bucket === 'week' ? 'week' : c.bucket} from (${c.zone})`, 'accesses']), '|---|---|', ...held.map((b) => row([b.label, b.value]))];
  if (empty > 0) lines.push('', `_${escapeMd(`${empty.toLocaleString('en')} of the ${c.bars.length.toLocaleString('en')} buckets hold no unauthorized access and are not listed.`)}_`);
  const edges = c.marks.filter((m) => m.to === undefined);
  const gaps = c.marks.filter((m) => m.to !== undefined);
  const listed = [...edges, ...(gaps.length <= LISTED_GAPS ? gaps : [])].map((m) => m.label);
  if (gaps.length > LISTED_GAPS) listed.push(`${gaps.length.toLocaleString('en')} gaps in the events of a source fall on the chart; the appendix lists them.`);
  if (listed.length) lines.push('', ...listed.map((l) => `- ${escapeMd(l)}`));
  return lines.join('\n');
}

function blockMd(b: Block, sub: string): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `**${escapeMd(b.text)}**` : escapeMd(b.text);
    case 'heading':
      return `${sub} ${escapeMd(b.text)}`;
    case 'list':
      return b.items.map((i) => `- ${i.code ? `${codeSpan(i.code)} ` : ''}${escapeMd(i.text)}`).join('\n');
    case 'facts':
      return b.rows.map((r) => (r.strong ? `- **${escapeMd(r.label)}: ${escapeMd(r.value)}**` : `- ${escapeMd(r.label)}: ${r.todo ? `*${escapeMd(r.value)}*` : escapeMd(r.value)}`)).join('\n');
    case 'table':
      return tableMd(b);
    case 'code':
      return `${b.caption ? `${sub} ${escapeMd(b.caption)}\n\n` : ''}${fenced(b.text, b.lang)}`;
    case 'chart':
      return chartMd(b.chart);
  }
}

function sectionMd(s: Section): string {
  const level = s.appendix ? '###' : '##';
  return [`${level} ${escapeMd(s.title)}`, ...s.blocks.map((b) => blockMd(b, `${level}#`))].join('\n\n');
}

/** The report's sections as Markdown, the same headings in the same order as report.html. */
export function renderDocumentMd(d: ReportDocument): string {
  const main = d.sections.filter((s) => !s.appendix);
  const appendix = d.sections.filter((s) => s.appendix);
  const parts = [`# ${escapeMd(d.title)}`, escapeMd(d.meta), ...main.map(sectionMd), ...(appendix.length ? ['## Appendix', ...appendix.map(sectionMd)] : [])];
  return `${parts.join('\n\n')}\n`;
}

export function renderMarkdown(m: ReportModel): string {
  return renderDocumentMd(reportDocument(m));
}
