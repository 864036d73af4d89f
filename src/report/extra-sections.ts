import type { Block, Section } from './section.js';

/*
 * A small renderer of report sections (src/report/section.ts) for the sections added beside the
 * hand-written report (actors, IP context): paragraphs, lists, facts and tables. Each format's own
 * escape function is passed in; no value is ever markup. To be folded into the section renderers.
 */

type Escape = (value: unknown) => string;

const isNumber = (v: unknown) => typeof v === 'number';

function blockHtml(b: Block, esc: Escape): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `<p><strong>${esc(b.text)}</strong></p>` : `<p>${esc(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${i.code ? `<code>${esc(i.code)}</code> ` : ''}${esc(i.text)}</li>`).join('')}</ul>`;
    case 'facts':
      return `<dl>${b.rows.map((r) => `<dt>${esc(r.label)}</dt><dd${r.todo ? ' class="todo"' : ''}>${esc(r.value)}</dd>`).join('')}</dl>`;
    case 'table':
      if (b.rows.length === 0) return `<p>${esc(b.empty)}</p>`;
      return (
        `<table><thead><tr>${b.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
        b.rows.map((r) => `<tr>${r.map((c) => `<td${isNumber(c) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('') +
        `</tbody></table>${b.note ? `<p class="note">${esc(b.note)}</p>` : ''}`
      );
    case 'code':
      return `<pre>${esc(b.text)}</pre>`;
    case 'chart':
      return '';
  }
}

export function sectionHtml(s: Section, esc: Escape): string {
  return `<h2 id="${s.id}">${esc(s.title)}</h2>${s.blocks.map((b) => blockHtml(b, esc)).join('')}`;
}

function blockMd(b: Block, esc: Escape): string[] {
  switch (b.kind) {
    case 'paragraph':
      return [b.strong ? `**${esc(b.text)}**` : esc(b.text), ''];
    case 'list':
      return [...b.items.map((i) => `- ${i.code ? `\`${i.code.replaceAll('`', '')}\` ` : ''}${esc(i.text)}`), ''];
    case 'facts':
      return [...b.rows.map((r) => `- **${esc(r.label)}**: ${esc(r.value)}`), ''];
    case 'table':
      if (b.rows.length === 0) return [esc(b.empty), ''];
      return [
        `| ${b.headers.map(esc).join(' | ')} |`,
        `|${b.headers.map(() => '---').join('|')}|`,
        ...b.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
        '',
        ...(b.note ? [`_${esc(b.note)}_`, ''] : []),
      ];
    case 'code':
      return ['```', b.text.replaceAll('```', '` ` `'), '```', ''];
    case 'chart':
      return [];
  }
}

export function sectionMd(s: Section, esc: Escape): string[] {
  return [`## ${esc(s.title)}`, '', ...s.blocks.flatMap((b) => blockMd(b, esc))];
}
