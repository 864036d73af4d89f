import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { escapeHtml } from '../../src/report/render-html.js';
import { escapeMd } from '../../src/report/render-md.js';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';

const HOSTILE_ACCOUNT = '<script>alert(1)</script>';
const HOSTILE_UA = '"><img src=x onerror=alert(1)> | [click](http://evil.example) <http://evil.example> www.evil.example';

function hostilePack(): string {
  const line = (i: number) =>
    combinedLine({ user: i === 0 ? HOSTILE_ACCOUNT.replaceAll(' ', '') : 'M2', time: `16/Mar/2015:10:0${i}:00 +0000`, path: '/tickets/D1%7C%5Bx%5D(y)/image', ua: HOSTILE_UA.replaceAll('"', '\\"') });
  const c = makeCase(
    'case: "Hostile <b>case</b> | [x](http://evil.example)"\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\naware_at: 2015-03-17T09:00:00Z\nbreach:\n  measures: "Portal taken offline <at once>"\n',
    { 'access.log': `${line(0)}\n${line(1)}\n`, 'owners.csv': 'document_id,owner_account,category\n"D1|[x](y)",M1,motorist with medical evidence\n' },
  );
  const out = tempDir();
  const r = runCli(['report', c, '--out', out, '--generated-at', '2015-04-20T12:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

describe('report.html and report.md with attacker-controlled strings', () => {
  const out = hostilePack();
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  const md = readFileSync(path.join(out, 'report.md'), 'utf8');

  test('when log fields hold markup then report.html shows it as text and holds no script, handler or external reference', () => {
    assert.match(html, /2 unauthorized accesses to 1 document from 1 unique IP address, affecting 1 person\./);
    assert.ok(html.includes(escapeHtml(HOSTILE_ACCOUNT)), 'the account is shown, escaped');
    assert.ok(html.includes(escapeHtml('D1|[x](y)')), 'the decoded document id is shown, escaped');
    assert.doesNotMatch(html, /<script|<img|onerror=alert\(1\)>|<b>case/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  test('when the owners file has a category column then Art. 33 counts people and documents per category', () => {
    assert.match(html, /<tr><td>motorist with medical evidence<\/td><td class="n">1<\/td><td class="n">1<\/td><\/tr>/);
    assert.match(md, /\| motorist with medical evidence \| 1 \| 1 \|/);
  });

  test('when the controller became aware then the 72-hour deadline is stated', () => {
    assert.match(html, /72-hour deadline<\/dt><dd><strong>2015-03-20T09:00:00Z/);
    assert.match(md, /\*\*72-hour deadline: 2015-03-20T09:00:00Z/);
    assert.match(html, /Portal taken offline &lt;at once&gt;/);
  });

  test('when log fields hold | [ ] ( ) < > and URLs then no Markdown table breaks and no link forms', () => {
    for (const row of md.split('\n').filter((l) => l.startsWith('| '))) {
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      const unescapedPipes = row.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 1;
      assert.equal(unescapedPipes, cells + 1, `row keeps its cells: ${row}`);
    }
    const outsideFences = md.replace(/(`{3,})[\s\S]*?\1/g, '');
    assert.doesNotMatch(outsideFences, /(?<!\\)\]\(|(?<!\\)<https?:|(?<![\\/])https?:\/\/|(?<!\\)<script/);
  });
});

describe('escaping helpers', () => {
  test('when HTML special characters are escaped then all five are entities', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  test('when Markdown gets a cell with a pipe, a link and an autolink then each is neutralised', () => {
    assert.equal(escapeMd('a|b [x](http://e.x) <http://y> www.z\nq'), 'a\\|b \\[x\\](http:\\/\\/e.x) \\<http:\\/\\/y\\> www\\.z q');
  });
  test('when Markdown gets plain parentheses then they stay as written', () => {
    assert.equal(escapeMd('(first and last unauthorized access)'), '(first and last unauthorized access)');
  });
  test('when Markdown gets an e-mail address then its @ is escaped so no mailto autolink forms', () => {
    assert.equal(escapeMd('alice@example.com'), 'alice\\@example.com');
  });
});
