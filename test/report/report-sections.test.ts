import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { combinedLine, makeCase, ROOT, runCli, tempDir } from '../helpers.js';

/** report.html and report.md of a case. */
function pack(casePath: string): { html: string; md: string } {
  const out = tempDir();
  const r = runCli(['report', casePath, '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  return { html: readFileSync(path.join(out, 'report.html'), 'utf8'), md: readFileSync(path.join(out, 'report.md'), 'utf8') };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Every heading of report.html as `level text`, its entities decoded. */
function htmlHeadings(html: string): string[] {
  return [...html.matchAll(/<h([1-6])[^>]*>(.*?)<\/h\1>/g)].map((m) => `${m[1]} ${m[2]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!)}`);
}

/** Every heading of report.md outside code fences as `level text`, its backslash escapes removed. */
function mdHeadings(md: string): string[] {
  return [...md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').matchAll(/^(#{1,6}) (.*)$/gm)].map((m) => `${m[1]!.length} ${m[2]!.replace(/\\(.)/g, '$1')}`);
}

function ticketviewer(): string {
  const dir = path.join(tempDir(), 'ticketviewer');
  cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  return path.join(dir, 'case.yaml');
}

describe('report sections, rendered to HTML and Markdown', () => {
  const { html, md } = pack(ticketviewer());

  test('when the sample is reported then report.md and report.html have the same headings in the same order', () => {
    const h = htmlHeadings(html);
    assert.deepEqual(mdHeadings(md), h);
    assert.ok(h.length > 15, `${h.length} headings`);
  });

  test('when the sample is reported then a DPO reads figures, Art. 33, timeline and tables before the appendix', () => {
    const order = ['2 Figures', '2 Notification (GDPR Art. 33(3))', '2 Timeline', '2 By client IP', '2 By account', '2 By document', '2 By category of data subject', '2 Appendix', '3 Method: counting rules', '3 Detectors', '3 Ingest coverage', '3 Case file'];
    const h = htmlHeadings(html);
    assert.deepEqual(h.filter((x) => order.includes(x)), order);
    assert.ok(h.indexOf('2 Appendix') < h.findIndex((x) => x.startsWith('4 anonymous_document_access:')), "the detectors' SQL is in the appendix");
  });

  test('when the exposure is stated then both reports say "(first and last unauthorized access)", parentheses unescaped in Markdown', () => {
    assert.match(html, /Exposure observed<\/dt><dd>[^<]*\(first and last unauthorized access\)<\/dd>/);
    assert.match(md, /^- Exposure observed: 2015-03-16T00:00:00Z \(16 Mar 2015, 00:00:00 GMT\) to .* \(first and last unauthorized access\)$/m);
  });

  test('when the timeline is in Markdown then it is a table of the buckets with accesses, adding up to the figure', () => {
    const section = md.slice(md.indexOf('## Timeline'), md.indexOf('## By client IP'));
    assert.match(section, /^One bar per day from 2015-03-16 to 2015-04-13 \(Europe\/London\), 29 bars; the highest holds 22 unauthorized accesses\./m);
    const rows = [...section.matchAll(/^\| (\d{4}-\d{2}-\d{2}) \| (\d+) \|$/gm)];
    assert.equal(rows.reduce((a, r) => a + Number(r[2]), 0), 235);
    assert.ok(rows.every((r) => Number(r[2]) > 0), 'buckets without access are not rows');
    assert.match(section, /_3 of the 29 buckets hold no unauthorized access and are not listed\._/);
  });
});

describe('report sections when nothing was disclosed', () => {
  const c = makeCase(
    'case: Nothing seen\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\n',
    { 'access.log': `${combinedLine({ user: 'M1', time: '16/Mar/2015:10:00:00 +0000', path: '/tickets/D1/image' })}\n`, 'owners.csv': 'document_id,owner_account\nD1,M1\n' },
  );
  const { html, md } = pack(c);

  test('when a table has no rows then both reports say so in a sentence instead of drawing a header row', () => {
    for (const sentence of ["No signed-in account received another's document.", "No client IP received another's document.", 'No unauthorized access to chart.']) {
      assert.ok(html.includes(`<p class="empty">${sentence.replace("'", '&#39;')}</p>`) || html.includes(`<p>${sentence}</p>`), `report.html: ${sentence}`);
      assert.match(md, new RegExp(`^${sentence.replace(/[.()]/g, '\\$&')}$`, 'm'), `report.md: ${sentence}`);
    }
    assert.doesNotMatch(html, /<th>account<\/th>|<th>client IP<\/th>|<th>document<\/th>/);
    assert.doesNotMatch(md, /^\| (account|client IP|document) \|/m);
    assert.deepEqual(mdHeadings(md), htmlHeadings(html));
  });
});

describe('report sections with hostile values', () => {
  const doc = '<script>x</script>`tick`](http://x)|y';
  const c = makeCase(
    [
      'case: "Case `one` | [a](http://evil.example)\\n# injected heading"',
      'sources:',
      '  - {name: web, path: access.log, format: combined}',
      'documents:',
      '  routes: [/tickets/{doc}/image]',
      '  owners: owners.csv',
      'breach:',
      '  nature: "Leak <script>alert(1)</script>\\n| injected | row |\\n```\\ninjected fence"',
      '',
    ].join('\n'),
    {
      'access.log': `${combinedLine({ user: 'M2', time: '16/Mar/2015:10:00:00 +0000', path: `/tickets/${encodeURIComponent(doc)}/image` })}\n`,
      'owners.csv': `document_id,owner_account,category\n"${doc}",M1,"cat | \`x\` ](http://y) <b>z</b>"\n`,
    },
  );
  const { html, md } = pack(c);

  test('when a document id, a category and case-file text hold markup then report.html shows them as text', () => {
    assert.doesNotMatch(html, /<script|<b>z|<a /i);
    assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;`tick`](http://x)|y'), 'the document id is shown, escaped');
    assert.ok(html.includes('<dt>Nature of the breach</dt><dd>Leak &lt;script&gt;alert(1)&lt;/script&gt;\n| injected | row |\n```\ninjected fence</dd>'));
  });

  test('when they reach report.md then no line, cell, link, tag, code span or fence is formed from them', () => {
    const lines = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').split('\n');
    assert.ok(!lines.some((l) => /^(# injected|\| injected|injected fence|```)/.test(l)), 'a newline in a value starts no line of its own');
    const pipes = (l: string) => l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 1;
    const tables = lines.join('\n').split(/\n(?!\|)/).map((t) => t.split('\n').filter((l) => l.startsWith('|'))).filter((t) => t.length > 0);
    assert.ok(tables.length >= 5, `${tables.length} tables`);
    for (const t of tables) for (const row of t) assert.equal(pipes(row), pipes(t[0]!), `a row keeps its header's cells: ${row}`);
    const text = lines.join('\n').replace(/`[A-Za-z0-9_.:/-]+`/g, '');
    assert.doesNotMatch(text, /(?<!\\)`/, 'every backtick from a value is escaped');
    assert.doesNotMatch(text, /(?<!\\)\]\(|(?<!\\)<(script|b|http)|(?<![\\/])https?:\/\//);
    assert.match(md, /^\| \\<script\\>x\\<\/script\\>\\`tick\\`\\\]\(http:\\\/\\\/x\)\\\|y \| 1 \|/m, 'the document row keeps its cells');
  });
});
