import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NOTICE_NAME } from '../../src/report/notice-files.js';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';
import { copySample, readCsv, report } from './pack-fixtures.js';

for (const sample of ['ticketviewer', 'resident-portal']) {
  test(`when report --notices runs on ${sample} then there is one .md and one .html notice and one notices.csv row per affected person, and verify passes`, async () => {
    const c = copySample(sample);
    const out = tempDir();
    report(c, out, ['--notices']);
    const expected = JSON.parse(readFileSync(path.join(path.dirname(c), 'expected.json'), 'utf8')) as { affected_subjects: number };
    const files = readdirSync(path.join(out, 'notices'));
    assert.equal(files.filter((f) => f.endsWith('.md')).length, expected.affected_subjects);
    assert.equal(files.filter((f) => f.endsWith('.html')).length, expected.affected_subjects);
    const rows = await readCsv(path.join(out, 'notices', 'notices.csv'));
    assert.equal(rows.length, expected.affected_subjects);
    // Each person's notice names as many accesses as subjects.csv counts for them.
    const subjects = await readCsv(path.join(out, 'subjects.csv'));
    const first = subjects[0]!;
    const row = rows.find((r) => r.subject_id === first.subject_id)!;
    assert.equal(row.accesses, first.accesses);
    const md = readFileSync(path.join(out, 'notices', row.notice_md!), 'utf8');
    assert.match(md, new RegExp(`Your reference: ${first.subject_id}`));
    for (const doc of first.document_ids!.split(';')) assert.ok(md.includes(`- ${doc}: opened`), `${doc} in the notice`);
    assert.equal(runCli(['verify', out]).code, 0);
  });
}

/** A case whose subject and document ids and contact column are hostile. */
function hostileCase(template?: string): string {
  const docs = ['D1', '<img src=x onerror=alert(1)>', '[x](http://evil.example)'];
  const log = docs.map((d, i) => combinedLine({ user: 'intruder', time: `20/Mar/2015:10:0${i}:00 +0000`, path: `/docs/${encodeURIComponent(d)}` })).join('\n');
  const subjects = [
    'document_id,subject_id,email',
    'D1,"../../etc/x<script>alert(1)</script>","=HYPERLINK(""http://evil"")"',
    'D1,a/b,a@example.org',
    'D1,a?b,b@example.org',
    'D1,Ab,c@example.org',
    'D1,ab,d@example.org',
    '"<img src=x onerror=alert(1)>",P2,"[mail](javascript:alert(1))"',
    '"[x](http://evil.example)",P2,',
  ];
  return makeCase(
    `case: hostile notices\nsources:\n  - {name: web, path: logs/access.log, format: combined}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n  subjects: subjects.csv\nbreach:\n  contact: dpo@example.org\n${template ? '  notice_template: notice.txt\n' : ''}`,
    {
      'logs/access.log': `${log}\n`,
      'owners.csv': `document_id,owner_account\n${docs.map((d) => `"${d}",owner`).join('\n')}\n`,
      'subjects.csv': `${subjects.join('\n')}\n`,
      ...(template ? { 'notice.txt': template } : {}),
    },
  );
}

describe('notices of hostile ids', () => {
  test('when subject and document ids hold paths, markup and formulas then each person has their own safe file names and every value stays text', async () => {
    const out = tempDir();
    report(hostileCase('# Notice for {{subject.EMAIL}}\n\nDocuments:\n\n{{documents}}\n'), out, ['--notices']);
    const files = readdirSync(path.join(out, 'notices')).filter((f) => f.endsWith('.md')).sort();
    // a/b and a?b differ only in unsafe characters, Ab and ab only in case: four people, four files.
    assert.equal(files.length, 6);
    for (const f of files) assert.match(f, NOTICE_NAME);
    assert.ok(files.includes('a_2fb.md') && files.includes('a_3fb.md'), files.join(' '));
    assert.equal(new Set(files.map((f) => f.toLowerCase())).size, 6, 'no two names differ only in letter case');
    const rows = await readCsv(path.join(out, 'notices', 'notices.csv'));
    const script = rows.find((r) => r.subject_id!.includes('<script>'))!;
    assert.equal(script.email, `'=HYPERLINK("http://evil")`);
    const html = readFileSync(path.join(out, 'notices', script.notice_html!), 'utf8');
    assert.ok(!html.includes('<script>') && html.includes('=HYPERLINK(&quot;http://evil&quot;)'), html);
    const p2 = rows.find((r) => r.subject_id === 'P2')!;
    const p2Html = readFileSync(path.join(out, 'notices', p2.notice_html!), 'utf8');
    assert.ok(!p2Html.includes('<img') && p2Html.includes('&lt;img src=x onerror=alert(1)&gt;: opened once'), p2Html);
    const p2Md = readFileSync(path.join(out, 'notices', p2.notice_md!), 'utf8');
    assert.ok(p2Md.includes('\\[x\\](http:\\/\\/evil.example)') && p2Md.includes('\\[mail\\](javascript:alert(1))'), p2Md);
    assert.equal(runCli(['verify', out]).code, 0);
  });

  test('when a notice is changed, removed or one is added then verify exits 1 naming each', () => {
    const out = tempDir();
    report(hostileCase(), out, ['--notices']);
    appendFileSync(path.join(out, 'notices', 'P2.md'), 'x');
    rmSync(path.join(out, 'notices', 'P2.html'));
    writeFileSync(path.join(out, 'notices', 'P3.md'), '# forged\n');
    const r = runCli(['verify', out]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^changed +notices\/P2\.md$/m);
    assert.match(r.stdout, /^missing +notices\/P2\.html$/m);
    assert.match(r.stdout, /^unlisted +notices\/P3\.md/m);
  });

  test('when the template names an unknown placeholder or subject column then report exits 2 naming the template line', () => {
    const c = hostileCase('# Hello\n\n{{nam}} and {{subject.phone}}\n');
    const r = runCli(['report', c, '--out', tempDir(), '--notices']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown placeholder \{\{nam\}\}/);
    assert.match(r.stderr, /notice\.txt:3/);
    const r2 = runCli(['report', hostileCase('# Hello {{subject.phone}}\n'), '--out', tempDir(), '--notices']);
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /\{\{subject\.phone\}\} names no column of the subjects file/);
  });
});
