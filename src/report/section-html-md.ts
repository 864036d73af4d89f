/**
 * Draws a report Section (section.ts) in HTML and in Markdown, for the block kinds the sections
 * drawn this way use (paragraph, list, facts, table). Values are escaped here, as in the renderers.
 */
import { escapeHtml } from './render-html.js';
import { escapeMd } from './render-md.js';
import type { Block, Section } from './section.js';

const numeric = (v: unknown) => typeof v === 'number';

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `<p><strong>${escapeHtml(b.text)}</strong></p>` : `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${i.code ? `<code>${escapeHtml(i.code)}</code> ` : ''}${escapeHtml(i.text)}</li>`).join('')}</ul>`;
    case 'facts':
      return `<dl>${b.rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd${r.todo ? ' class="todo"' : ''}>${escapeHtml(r.value)}</dd>`).join('')}</dl>`;
    case 'table':
      if (b.rows.length === 0) return `<p>${escapeHtml(b.empty)}</p>`;
      return (
        `<table><thead><tr>${b.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
        b.rows.map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
        `</tbody></table>${b.note ? `<p class="note">${escapeHtml(b.note)}</p>` : ''}`
      );
    default:
      return `<pre>${escapeHtml(b.kind === 'code' ? b.text : '')}</pre>`;
  }
}

export function sectionHtml(s: Section): string {
  return `<h2 id="${s.id}">${escapeHtml(s.title)}</h2>${s.blocks.map(blockHtml).join('')}`;
}

function blockMd(b: Block): string[] {
  switch (b.kind) {
    case 'paragraph':
      return [b.strong ? `**${escapeMd(b.text)}**` : escapeMd(b.text), ''];
    case 'list':
      return [...b.items.map((i) => `- ${i.code ? `\`${i.code.replaceAll('`', "'")}\` ` : ''}${escapeMd(i.text)}`), ''];
    case 'facts':
      return [...b.rows.map((r) => `- ${escapeMd(r.label)}: ${r.todo ? `*${escapeMd(r.value)}*` : escapeMd(r.value)}`), ''];
    case 'table':
      if (b.rows.length === 0) return [escapeMd(b.empty), ''];
      return [
        `| ${b.headers.map(escapeMd).join(' | ')} |`,
        `|${b.headers.map(() => '---').join('|')}|`,
        ...b.rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
        ...(b.note ? ['', `_${escapeMd(b.note)}_`] : []),
        '',
      ];
    default:
      return [];
  }
}

/** The section as Markdown lines, ending with a blank line. */
export function sectionMarkdown(s: Section): string[] {
  return [`## ${escapeMd(s.title)}`, '', ...s.blocks.flatMap(blockMd)];
}
