import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { combinedLine, makeCase, runCli, tempDir } from '../helpers.js';
import { copySample, report } from './pack-fixtures.js';

interface DiffJson {
  added: { accesses: number; documents: number; people: number; ips: number };
  removed: { accesses: number; documents: number; people: number; ips: number };
  lists: { added: { accesses: { file: string; line: number; document: string }[]; documents: string[]; people: string[]; ips: string[] } };
  window: { changed: boolean };
  case_file: { changed: boolean };
  inputs: { added: { path: string }[]; removed: { path: string }[] };
}

function diffJson(a: string, b: string): DiffJson {
  const r = runCli(['diff', a, b, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DiffJson;
}

const zero = { accesses: 0, documents: 0, people: 0, ips: 0 };

const CASE = `case: follow-up\nsources:\n  - {name: web, path: "logs/*.log", format: combined}\ndocuments:\n  routes: ["/docs/{doc}"]\n  owners: owners.csv\n`;

function smallCase(): string {
  const lines = [1, 2, 3].map((i) => combinedLine({ ip: '198.51.100.1', user: 'intruder', time: `20/Mar/2015:10:0${i}:00 +0000`, path: `/docs/D${i}` }));
  // The same line twice: two accesses, counted by multiplicity.
  lines.push(lines[0]!);
  return makeCase(CASE, {
    'logs/a.log': `${lines.join('\n')}\n`,
    'owners.csv': 'document_id,owner_account\nD1,o1\nD2,o2\nD3,o3\nD4,o4\nD5,o5\n',
  });
}

describe('diff', () => {
  test('when a pack is compared with itself then nothing is added or removed, and the text says no change', () => {
    const out = tempDir();
    report(copySample('ticketviewer'), out);
    const d = diffJson(out, out);
    assert.deepEqual(d.added, zero);
    assert.deepEqual(d.removed, zero);
    assert.equal(d.window.changed, false);
    assert.equal(d.case_file.changed, false);
    assert.match(runCli(['diff', out, out]).stdout, /^No change/m);
  });

  test('when a log file is added then the diff lists exactly its new accesses, documents, IP and people, and withdraws nothing', () => {
    const c = smallCase();
    const dir = path.dirname(c);
    const first = tempDir();
    report(c, first);
    const added = [
      combinedLine({ ip: '203.0.113.9', user: 'intruder', time: '21/Mar/2015:09:00:00 +0000', path: '/docs/D4' }),
      combinedLine({ ip: '198.51.100.1', user: 'intruder', time: '21/Mar/2015:09:00:01 +0000', path: '/docs/D1' }),
      combinedLine({ ip: '203.0.113.9', user: 'o5', time: '21/Mar/2015:09:00:02 +0000', path: '/docs/D5' }), // the owner: not counted
    ];
    writeFileSync(path.join(dir, 'logs', 'b.log'), `${added.join('\n')}\n`);
    const second = tempDir();
    report(c, second);
    const d = diffJson(first, second);
    assert.deepEqual(d.added, { accesses: 2, documents: 1, people: 1, ips: 1 });
    assert.deepEqual(d.removed, zero);
    assert.deepEqual(d.lists.added.accesses.map((a) => `${a.file}:${a.line} ${a.document}`), ['logs/b.log:1 D4', 'logs/b.log:2 D1']);
    assert.deepEqual(d.lists.added.documents, ['D4']);
    assert.deepEqual(d.lists.added.people, ['o4']);
    assert.deepEqual(d.lists.added.ips, ['203.0.113.9']);
    assert.deepEqual(d.inputs.added.map((i) => i.path), ['logs/b.log']);
    const back = diffJson(second, first);
    assert.deepEqual(back.removed, { accesses: 2, documents: 1, people: 1, ips: 1 });
  });

  test('when either pack was tampered with then diff refuses it with exit 1, naming the problem as verify does', () => {
    const c = smallCase();
    const a = tempDir();
    report(c, a);
    const b = tempDir();
    report(c, b);
    appendFileSync(path.join(b, 'evidence.csv'), 'x\n');
    const r = runCli(['diff', a, b]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /changed +evidence\.csv/);
    assert.match(r.stderr, /NEW_PACK: the evidence pack in .* does not match its manifest/);
    assert.equal(r.stdout, '');
    assert.equal(runCli(['diff', a, tempDir()]).code, 2);
  });

  test('when report --previous names the earlier pack then the report has the changes section, and the manifest records phase and reference', () => {
    const c = smallCase();
    const first = tempDir();
    report(c, first);
    writeFileSync(c, `${CASE}breach:\n  phase: follow-up\n  reference: ICO-2015-0042\n`);
    appendFileSync(path.join(path.dirname(c), 'logs', 'a.log'), `${combinedLine({ user: 'intruder', time: '22/Mar/2015:09:00:00 +0000', path: '/docs/D5' })}\n`);
    const second = tempDir();
    report(c, second, ['--previous', first]);
    const md = readFileSync(path.join(second, 'report.md'), 'utf8');
    assert.match(md, /## Changes since the previous report/);
    assert.match(md, /\| accesses \| 1 \| 0 \| 4 \| 5 \|/);
    assert.match(md, /Case file: changed/);
    assert.match(md, /Regulator's reference: ICO-2015-0042/);
    assert.match(readFileSync(path.join(second, 'report.html'), 'utf8'), /<section id="changes"><h2>Changes since the previous report<\/h2>/);
    const manifest = JSON.parse(readFileSync(path.join(second, 'manifest.json'), 'utf8')) as { breach: unknown };
    assert.deepEqual(manifest.breach, { phase: 'follow-up', reference: 'ICO-2015-0042' });
    assert.equal(runCli(['verify', second]).code, 0);
  });
});
