import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { loadCaseFile } from '../../src/case/case-file.js';
import { SourceWatcher } from '../../src/dashboard/source-watcher.js';
import { combinedLine, makeCase } from '../helpers.js';

const line = (i: number) => `${combinedLine({ time: `16/Mar/2015:10:00:${String(i).padStart(2, '0')} +0000`, path: '/tickets/D1/image' })}\n`;

/** A watched case with one log; `changes` counts the reports. */
function watched(): { dir: string; changes: number[]; watcher: SourceWatcher } {
  const casePath = makeCase('case: w\nsources:\n  - {name: web, path: "logs/access.log*", format: combined}\n', { 'logs/access.log': line(0) });
  const changes: number[] = [];
  const watcher = new SourceWatcher(loadCaseFile(casePath), { pollMs: 1000, settleMs: 30 });
  watcher.start(() => changes.push(Date.now()));
  return { dir: path.dirname(casePath), changes, watcher };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let open: SourceWatcher | undefined;
afterEach(() => open?.close());

describe('source watcher (--follow)', () => {
  test('when nothing changes then nothing is reported, poll after poll', async () => {
    const w = watched();
    open = w.watcher;
    await sleep(2200);
    assert.deepEqual(w.changes, []);
  });

  test('when a line is appended then the change is reported within half a second', async () => {
    const w = watched();
    open = w.watcher;
    const t0 = Date.now();
    appendFileSync(path.join(w.dir, 'logs/access.log'), line(1));
    await sleep(500);
    assert.equal(w.changes.length, 1);
    assert.ok(w.changes[0]! - t0 < 500);
  });

  test('when the log is rotated then the renamed and the new file are reported', async () => {
    const w = watched();
    open = w.watcher;
    renameSync(path.join(w.dir, 'logs/access.log'), path.join(w.dir, 'logs/access.log.1'));
    writeFileSync(path.join(w.dir, 'logs/access.log'), line(2));
    await sleep(500);
    assert.ok(w.changes.length >= 1);
  });

  test('when a line is still being written then it waits for the line end, at most a second', async () => {
    const w = watched();
    open = w.watcher;
    const log = path.join(w.dir, 'logs/access.log');
    appendFileSync(log, line(3).slice(0, 40));
    await sleep(300);
    assert.deepEqual(w.changes, [], 'half a line is not read');
    appendFileSync(log, line(3).slice(40));
    await sleep(300);
    assert.equal(w.changes.length, 1);
    appendFileSync(log, 'no line end');
    await sleep(2300);
    assert.equal(w.changes.length, 2, 'a line that never ends is read after the wait');
  });
});
