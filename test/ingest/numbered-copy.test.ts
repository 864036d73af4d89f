// The numbered copy written in examine's pass (src/ingest/numbered-copy.ts): the same bytes as the
// second read wrote, dropped when the fast path will not read it, and read by the fast path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { examine } from '../../src/ingest/prepass.js';
import { writeNumberedCopy } from '../../src/ingest/sanitised-copy.js';
import { CLI, combinedLine, makeCase, ROOT, tempDir } from '../helpers.js';
import { storedText } from './stored-text.js';

const L = (i: number) => combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: `/p/${i}`, ua: `ua ${'y'.repeat(i % 500)}` });

describe('the numbered copy written while the file is examined', () => {
  test('when examine writes the copy then it is byte for byte the copy a second read writes, over several read chunks and empty lines', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'access.log');
    // Empty lines (left out of the copy, their numbers skipped) and about 3 MB: the copy spans chunk boundaries.
    writeFileSync(file, Array.from({ length: 12_000 }, (_, i) => (i % 1000 === 7 ? '\n' : `${L(i)}\n`)).join(''));
    const target = path.join(dir, 'in-pass.log');
    let asked = 0;
    const facts = await examine(file, statSync(file).size, { numbered: { path: target, want: () => (asked++, true) } });
    assert.equal(asked, 1, 'asked once, at the first chunk');
    assert.deepEqual(facts.numberedCopy, { path: target, lines: 12_000 - 12 });
    const second = path.join(dir, 'second-read.log');
    assert.equal(await writeNumberedCopy(file, false, facts.bytes, second), 12_000 - 12);
    assert.ok(readFileSync(target).equals(readFileSync(second)));
    // Numbered independently of numberLines: each line of the copy is its number, U+0001, a space and that line of the file.
    const original = readFileSync(file, 'utf8').split('\n');
    const expected = original.flatMap((l, i) => (l === '' ? [] : [`${i + 1}\x01 ${l}\n`])).join('');
    assert.equal(readFileSync(target, 'utf8'), expected);
  });

  test('when a comment line comes after the first chunk then the copy is dropped and its file removed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'access.log');
    const rows = Array.from({ length: 8000 }, (_, i) => `${L(i)}\n`);
    rows[7000] = '#Fields: whatever\n';
    writeFileSync(file, rows.join(''));
    const target = path.join(dir, 'in-pass.log');
    const facts = await examine(file, statSync(file).size, { numbered: { path: target, want: () => true } });
    assert.equal(facts.numberedCopy, undefined);
    assert.equal(existsSync(target), false);
    assert.equal(facts.shape.commentLines, 1);
  });

  test('when the first lines do not make the fast path likely then no copy is written', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'access.log');
    writeFileSync(file, `${L(1)}\n`);
    const target = path.join(dir, 'in-pass.log');
    const facts = await examine(file, statSync(file).size, { numbered: { path: target, want: (sample) => sample.length > 1 } });
    assert.equal(facts.numberedCopy, undefined);
    assert.equal(existsSync(target), false);
  });

  /** `ingest --json` with the stage trace; the trace lines that name the numbered copy. */
  function ingestTraced(casePath: string): { files: { status: string; reader?: string; events: number }[]; copyTrace: string[] } {
    const r = spawnSync(process.execPath, [CLI, 'ingest', casePath, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BREACHSCOPE_TRACE_STAGES: '1' }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return { files: (JSON.parse(r.stdout) as { files: { status: string; reader?: string; events: number }[] }).files, copyTrace: r.stderr.split('\n').filter((l) => l.includes('numbered copy')) };
  }

  test('when a new plain file is ingested then the fast path reads the copy examine wrote, and a rerun or a grown file writes none', () => {
    const c = makeCase('case: onepass\nsources:\n  - name: web\n    path: "access.log"\n    format: combined\n', { 'access.log': Array.from({ length: 500 }, (_, i) => `${L(i)}\n`).join('') });
    const first = ingestTraced(c);
    assert.deepEqual(first.files.map((f) => [f.status, f.reader, f.events]), [['ingested', 'fast', 500]]);
    assert.deepEqual(first.copyTrace, ['trace numbered copy in the examine pass: written', 'trace fast path reads the numbered copy written in the examine pass']);
    const rerun = ingestTraced(c);
    assert.deepEqual(rerun.files.map((f) => f.status), ['skipped']);
    // The store holds a content that begins like this file: it is matched first, and skipped.
    assert.deepEqual(rerun.copyTrace, ['trace numbered copy in the examine pass: not written']);
    writeFileSync(path.join(path.dirname(c), 'access.log'), `${L(500)}\n`, { flag: 'a' });
    const grown = ingestTraced(c);
    assert.deepEqual(grown.files.map((f) => [f.status, f.events]), [['appended', 1]]);
    assert.deepEqual(grown.copyTrace, ['trace numbered copy in the examine pass: not written']);
    assert.deepEqual(readdirOrEmpty(path.join(path.dirname(c), '.breachscope', 'tmp')), [], 'no copy left behind');
  });

  test('when a client writes U+0001 and a space into its user agent then the fast path is not taken and the general reader keeps every line', async () => {
    // The copy ends each line number with U+0001 and a space, so a line holding the pair must never
    // be read from a copy: examine sends a file with control bytes to the general reader, which
    // shows the byte as U+FFFD (and says so).
    const hostile = L(3).replace('ua yyy', 'ua \x01 yyy');
    const rows = Array.from({ length: 200 }, (_, i) => (i === 2 ? hostile : L(i)));
    const c = makeCase('case: soh\nsources:\n  - name: web\n    path: "access.log"\n    format: combined\n', { 'access.log': rows.map((l) => `${l}\n`).join('') });
    const r = spawnSync(process.execPath, [CLI, 'ingest', c, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BREACHSCOPE_TRACE_STAGES: '1' }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /fast path not taken: control bytes 0x01/);
    const files = (JSON.parse(r.stdout) as { files: { reader?: string; events: number; rejected: number }[] }).files;
    assert.deepEqual(files.map((f) => [f.reader, f.events, f.rejected]), [['general', 200, 0]]);
    const stored = await storedText(c);
    assert.equal(stored.length, 200);
    assert.deepEqual(stored[2], { path: 'access.log', line: 3, raw: hostile.replace('\x01', '\uFFFD'), kept: true });
    assert.deepEqual(stored.map((l) => l.raw), rows.map((l) => l.replace('\x01', '\uFFFD')));
  });
});

function readdirOrEmpty(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
