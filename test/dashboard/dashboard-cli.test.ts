import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CLI, ROOT, combinedLine, makeCase, runCli, tempDir } from '../helpers.js';

function copyTicketviewer(): string {
  const dir = path.join(tempDir(), 'ticketviewer');
  cpSync(path.join(ROOT, 'sample-logs', 'ticketviewer'), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  return path.join(dir, 'case.yaml');
}

describe('breachscope dashboard when stdout is not a terminal', () => {
  test('when piped then one static 80x24 frame with the figures is printed and it exits 0', () => {
    const r = runCli(['dashboard', copyTicketviewer()]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 23);
    assert.ok(lines.every((l) => l.length <= 80));
    assert.match(r.stdout, /^235 unauthorized accesses · 119 documents · 36 unique IPs · 71 people affected$/m);
    assert.match(r.stdout, /^Ticketviewer exposure 2015 +not following · updated \d\d:\d\d:\d\d$/m);
    assert.match(r.stdout, /cross_account_document_access +120/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /\x1b/, 'no colour, cursor or screen codes in a pipe');
  });

  test('when piped with --follow then it still prints one frame and exits instead of watching', () => {
    const r = spawnSync(process.execPath, [CLI, 'dashboard', copyTicketviewer(), '--follow'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^235 unauthorized accesses/m);
  });

  test('when a log line holds escape sequences then the frame shows them as visible escapes', () => {
    const hostile = combinedLine({ user: '\x1b]2;pwned\x07', time: '16/Mar/2015:10:00:00 +0000', path: '/tickets/D1/image', ua: 'x\x1b[2J' });
    const c = makeCase('case: "Hostile \x1b[31mcase"\nsources:\n  - {name: web, path: access.log, format: combined}\ndocuments:\n  routes: [/tickets/{doc}/image]\n  owners: owners.csv\n', {
      'access.log': `${hostile}\n`,
      'owners.csv': 'document_id,owner_account\nD1,M1\n',
    });
    const r = runCli(['dashboard', c]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Hostile \\x1b\[31mcase/m);
    assert.ok(r.stdout.includes('\\x1b]2;pwned\\x07'), r.stdout);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f\x7f]/);
  });

  test('when the case file is wrong then it fails as analyze does, with exit 2 and no frame', () => {
    const c = makeCase('case: x\nsources:\n  - {name: web, path: missing.log, format: combined}\n');
    const r = runCli(['dashboard', c]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /matches no file/);
  });
});
