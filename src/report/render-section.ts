import { escapeHtml } from './render-html.js';
import { escapeMd } from './render-md.js';
import type { Block, Section } from './section.js';

/**
 * A Section in HTML and in Markdown, for the sections the two page renderers draw from the model
 * (report --previous, the notification phase). Every value is text, escaped here.
 */

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `<p><strong>${escapeHtml(b.text)}</strong></p>` : `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${i.code ? `<code>${escapeHtml(i.code)}</code> ` : ''}${escapeHtml(i.text)}</li>`).join('')}</ul>`;
    case 'facts':
      return `<dl>${b.rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd${r.todo ? ' class="todo"' : ''}>${escapeHtml(r.value)}</dd>`).join('')}</dl>`;
    case 'table':
      if (b.rows.length === 0 && b.empty) return `<p>${escapeHtml(b.empty)}</p>`;
      return `<table><thead><tr>${b.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>${b.note ? `<p class="meta">${escapeHtml(b.note)}</p>` : ''}`;
    case 'code':
      return `<pre>${escapeHtml(b.text)}</pre>`;
    case 'chart':
      return `<p>${escapeHtml(b.chart.title)}</p>`;
  }
}

export function sectionHtml(s: Section): string {
  return [`<h2 id="${escapeHtml(s.id)}">${escapeHtml(s.title)}</h2>`, ...s.blocks.map(blockHtml)].join('\n');
}

function blockMd(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `**${escapeMd(b.text)}**` : escapeMd(b.text);
    case 'list':
      return b.items.map((i) => `- ${i.code ? `\`${i.code.replaceAll('`', '')}\` ` : ''}${escapeMd(i.text)}`).join('\n');
    case 'facts':
      return b.rows.map((r) => `- ${escapeMd(r.label)}: ${r.todo ? `*${escapeMd(r.value)}*` : escapeMd(r.value)}`).join('\n');
    case 'table': {
      if (b.rows.length === 0 && b.empty) return escapeMd(b.empty);
      const lines = [`| ${b.headers.map(escapeMd).join(' | ')} |`, `|${b.headers.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`)];
      return b.note ? `${lines.join('\n')}\n\n_${escapeMd(b.note)}_` : lines.join('\n');
    }
    case 'code':
      return `\`\`\`\`\n${b.text.replaceAll('````', '` ` ` `')}\n\`\`\`\``;
    case 'chart':
      return escapeMd(b.chart.title);
  }
}

export function sectionMd(s: Section): string {
  return [`## ${escapeMd(s.title)}`, ...s.blocks.map(blockMd)].join('\n\n');
}
