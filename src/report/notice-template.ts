import { readFileSync } from 'node:fs';
import { escapeHtml } from './render-html.js';
import { escapeMd } from './render-md.js';
import { UserError } from '../util/user-error.js';

/**
 * The Art. 34 notice template: plain text with a few line markers and `{{name}}` placeholders.
 * The template is text, never markup: its own words and every value are escaped for the format
 * written (Markdown or HTML), so a subject id or a contact column from a CSV cannot become a link,
 * a tag or a script. One template gives both notice files.
 *
 * - `# ` starts the title line, `## ` a heading, `- ` a list item; a blank line ends a paragraph;
 * - `{{name}}` is replaced by a value (NOTICE_VALUES, or `subject.<column>` of the subjects file);
 * - a line holding only `{{documents}}` becomes one list item per document of the person.
 */

export const NOTICE_VALUES = [
  'subject_id', 'case', 'reference', 'phase', 'document_count', 'documents_phrase', 'access_count', 'accesses_phrase',
  'first_access', 'last_access', 'zone', 'nature', 'likely_consequences', 'measures', 'contact', 'generated_at',
] as const;
export type NoticeValue = (typeof NOTICE_VALUES)[number];

type Part = string | { readonly name: string };
export interface TemplateLine {
  readonly kind: 'title' | 'heading' | 'item' | 'text' | 'blank' | 'documents';
  readonly parts: readonly Part[];
}
export interface NoticeTemplate {
  readonly lines: readonly TemplateLine[];
  /** `subject.<column>` names used, as written after the dot. */
  readonly subjectColumns: readonly string[];
}

export interface NoticeDocument {
  readonly document: string;
  readonly accesses: number;
  /** Days of access (YYYY-MM-DD in the notice's zone), ascending. */
  readonly days: readonly string[];
}

export interface NoticeData {
  readonly values: Readonly<Record<string, string>>;
  readonly documents: readonly NoticeDocument[];
}

export const BUILT_IN_TEMPLATE = `# Notice of a personal data breach

Your reference: {{subject_id}}
Our case: {{case}} (regulator's reference: {{reference}})

## What happened

{{nature}}

Between {{first_access}} and {{last_access}} (dates in {{zone}}), someone who was not entitled to see them opened {{documents_phrase}} about you, {{accesses_phrase}} in all:

{{documents}}

## What this may mean for you

{{likely_consequences}}

## What we have done

{{measures}}

## Who to contact

{{contact}}
`;

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+(?:\.[^{}\r\n]+?)?)\s*\}\}/g;

function parts(text: string, where: (name: string) => void): Part[] {
  const out: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    where(m[1]!);
    out.push({ name: m[1]! });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** Parses and checks a template; `file` names it in messages (the case's template, or built-in). */
export function parseNoticeTemplate(text: string, file: string): NoticeTemplate {
  const problems: { line: number; name: string }[] = [];
  const subjectColumns = new Set<string>();
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/).map((raw, i): TemplateLine => {
    const check = (name: string) => {
      if (name.startsWith('subject.')) subjectColumns.add(name.slice('subject.'.length).trim());
      else if (!(NOTICE_VALUES as readonly string[]).includes(name) && name !== 'documents') problems.push({ line: i + 1, name });
    };
    if (raw.trim() === '') return { kind: 'blank', parts: [] };
    if (raw.trim() === '{{documents}}') return { kind: 'documents', parts: [] };
    const marker = /^(#|##|-)\s+/.exec(raw);
    const kind = marker?.[1] === '#' ? 'title' : marker?.[1] === '##' ? 'heading' : marker ? 'item' : 'text';
    const body = marker ? raw.slice(marker[0].length) : raw;
    const p = parts(body, check);
    if (p.some((x) => typeof x !== 'string' && x.name === 'documents')) problems.push({ line: i + 1, name: 'documents (only on a line of its own)' });
    return { kind, parts: p };
  });
  if (problems.length > 0) {
    throw new UserError(problems.map((p) => ({
      what: `breach.notice_template: unknown placeholder {{${p.name}}}`,
      where: `${file}:${p.line}`,
      help: `use {{${NOTICE_VALUES.join('}}, {{')}}}, {{documents}} on a line of its own, or {{subject.<column>}} for a column of the subjects file`,
    })));
  }
  return { lines, subjectColumns: [...subjectColumns] };
}

export function loadNoticeTemplate(file: string | undefined): NoticeTemplate {
  return file === undefined ? parseNoticeTemplate(BUILT_IN_TEMPLATE, 'built-in template') : parseNoticeTemplate(readFileSync(file, 'utf8'), file);
}

const fill = (p: readonly Part[], d: NoticeData, escape: (v: string) => string): string =>
  p.map((x) => escape(typeof x === 'string' ? x : (d.values[x.name] ?? ''))).join('');

/** One list line per document: `IT40561308: opened 3 times, on 2015-03-16, 2015-03-18`. */
export function documentLine(doc: NoticeDocument): string {
  const shown = doc.days.slice(0, 10);
  const more = doc.days.length > shown.length ? ` and ${doc.days.length - shown.length} more days` : '';
  return `${doc.document}: opened ${doc.accesses === 1 ? 'once' : `${doc.accesses} times`}, on ${shown.join(', ')}${more}`;
}

/** Groups template lines into blocks (paragraph, list, heading, title) and renders each. */
function render(t: NoticeTemplate, d: NoticeData, escape: (v: string) => string, block: (kind: TemplateLine['kind'] | 'paragraph', lines: string[]) => string): string {
  const out: string[] = [];
  let open: { kind: 'paragraph' | 'item'; lines: string[] } | undefined;
  const close = () => {
    if (open) out.push(block(open.kind, open.lines));
    open = undefined;
  };
  const add = (kind: 'paragraph' | 'item', text: string) => {
    if (open?.kind !== kind) close();
    open ??= { kind, lines: [] };
    open.lines.push(text);
  };
  for (const line of t.lines) {
    if (line.kind === 'blank') close();
    else if (line.kind === 'documents') for (const doc of d.documents) add('item', escape(documentLine(doc)));
    else if (line.kind === 'text') add('paragraph', fill(line.parts, d, escape));
    else if (line.kind === 'item') add('item', fill(line.parts, d, escape));
    else {
      close();
      out.push(block(line.kind, [fill(line.parts, d, escape)]));
    }
  }
  close();
  return out.join('\n\n');
}

export function noticeMarkdown(t: NoticeTemplate, d: NoticeData): string {
  return `${render(t, d, escapeMd, (kind, lines) => {
    if (kind === 'title') return `# ${lines[0]}`;
    if (kind === 'heading') return `## ${lines[0]}`;
    if (kind === 'item') return lines.map((l) => `- ${l}`).join('\n');
    // Two trailing spaces: a line break inside the paragraph, as the template has it.
    return lines.join('  \n');
  })}\n`;
}

export function noticeHtml(t: NoticeTemplate, d: NoticeData): string {
  const title = t.lines.find((l) => l.kind === 'title');
  const body = render(t, d, escapeHtml, (kind, lines) => {
    if (kind === 'title') return `<h1>${lines[0]}</h1>`;
    if (kind === 'heading') return `<h2>${lines[0]}</h2>`;
    if (kind === 'item') return `<ul>${lines.map((l) => `<li>${l}</li>`).join('')}</ul>`;
    return `<p>${lines.join('<br>')}</p>`;
  });
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title ? fill(title.parts, d, escapeHtml) : 'Notice'}</title>` +
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}li{overflow-wrap:anywhere}</style>' +
    `</head><body>\n${body}\n</body></html>\n`;
}
