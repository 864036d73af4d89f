import { chartCaption } from './chart-caption.js';
import { chartSvg } from './chart-svg.js';
import { escapeHtml } from './html-escape.js';
import { reportDocument } from './report-sections.js';
import type { ReportModel } from './report-model.js';
import type { Block, ReportDocument, Section } from './section.js';

export { escapeHtml };

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:72rem;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}h2#appendix{margin-top:3rem;border-bottom-width:4px}
.meta,.note,.caption{color:#57606a;font-size:.85rem}.figures{font-size:1.45rem;font-weight:600;background:#fff4e5;border-left:6px solid #d1242f;padding:.8rem 1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}td.h{word-break:break-all}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}.todo{color:#9a6700;font-style:italic}#warnings{background:#fff8c5;border-left:6px solid #9a6700;padding:.2rem 1rem}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
svg text{font:11px system-ui,sans-serif;fill:#57606a}svg .peak{font-weight:600;fill:#1b1f24}.bar{fill:#d1242f}.hit{fill:transparent}.b:hover .hit{fill:#0000000f}
.axis,.tick{stroke:#8c959f}.grid{stroke:#d0d7de;stroke-dasharray:2 3}.edge line{stroke:#1b1f24;stroke-dasharray:5 3}.edge .grip{stroke:transparent;stroke-width:8;stroke-dasharray:none}.gap{fill:#8c959f}
@media print{body{margin:0;max-width:none;font-size:11px}h2,h3{break-after:avoid}table,pre,svg{break-inside:auto}tr{break-inside:avoid}.figures{border-left-color:#000}}
`;

function tableHtml(b: Extract<Block, { kind: 'table' }>): string {
  if (b.rows.length === 0) return `<p class="empty">${escapeHtml(b.empty)}</p>`;
  const cell = (c: unknown) => `<td${typeof c === 'number' ? ' class="n"' : typeof c === 'string' && /^[0-9a-f]{64}$/.test(c) ? ' class="h"' : ''}>${escapeHtml(c)}</td>`;
  return (
    `<table><thead><tr>${b.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('') +
    `</tbody></table>${b.note ? `<p class="note">${escapeHtml(b.note)}</p>` : ''}`
  );
}

/** One block as HTML; `sub` is the heading level of a subheading in this section. */
function blockHtml(b: Block, sub: number): string {
  switch (b.kind) {
    case 'paragraph':
      return b.strong ? `<p class="figures">${escapeHtml(b.text)}</p>` : `<p>${escapeHtml(b.text)}</p>`;
    case 'heading':
      return `<h${sub}>${escapeHtml(b.text)}</h${sub}>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${i.code ? `<code>${escapeHtml(i.code)}</code> ` : ''}${escapeHtml(i.text)}</li>`).join('')}</ul>`;
    case 'facts':
      return `<dl>${b.rows.map((r) => `<dt>${escapeHtml(r.label)}</dt><dd${r.todo ? ' class="todo"' : ''}>${r.strong ? `<strong>${escapeHtml(r.value)}</strong>` : escapeHtml(r.value)}</dd>`).join('')}</dl>`;
    case 'table':
      return tableHtml(b);
    case 'code':
      return `${b.caption ? `<h${sub}>${escapeHtml(b.caption)}</h${sub}>` : ''}<pre>${escapeHtml(b.text)}</pre>`;
    case 'chart':
      return `${chartSvg(b.chart)}<p class="caption">${escapeHtml(chartCaption(b.chart))}</p>`;
  }
}

function sectionHtml(s: Section): string {
  const level = s.appendix ? 3 : 2;
  return `<section id="${escapeHtml(s.id)}"><h${level}>${escapeHtml(s.title)}</h${level}>\n${s.blocks.map((b) => blockHtml(b, level + 1)).join('\n')}</section>`;
}

/** The report's sections as one self-contained page: inline CSS and SVG, no script, a CSP that forbids every fetch. */
export function renderDocumentHtml(d: ReportDocument): string {
  const main = d.sections.filter((s) => !s.appendix);
  const appendix = d.sections.filter((s) => s.appendix);
  const body = [
    `<h1>${escapeHtml(d.title)}</h1><p class="meta">${escapeHtml(d.meta)}</p>`,
    ...main.map(sectionHtml),
    ...(appendix.length ? ['<h2 id="appendix">Appendix</h2>', ...appendix.map(sectionHtml)] : []),
  ];
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>${escapeHtml(d.title)}: breach report</title><style>${CSS}</style></head><body>\n${body.join('\n')}\n</body></html>\n`
  );
}

export function renderHtml(m: ReportModel): string {
  return renderDocumentHtml(reportDocument(m));
}
