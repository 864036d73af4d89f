import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli, spawnCli, tempDir } from '../helpers.js';
import { copySample, report } from './pack-fixtures.js';

const PACK = ['evidence.arrow', 'evidence.csv', 'evidence.parquet', 'manifest.json', 'report.html', 'report.md', 'subjects.csv'];

/** Every entry of a folder with its bytes, to show that a refused report wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = e.isFile() ? readFileSync(full, 'base64') : 'folder';
  }
  return out;
}

const generatedAt = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).generated_at as string;

describe('report --out folder', () => {
  const casePath = copySample('ticketviewer');

  const refusals: [string, (dir: string) => void, RegExp][] = [
    ['a foreign file (notes.txt)', (d) => writeFileSync(path.join(d, 'notes.txt'), 'mine'), /not part of an evidence pack: notes\.txt/],
    ['a subfolder', (d) => mkdirSync(path.join(d, 'drafts')), /not part of an evidence pack: drafts/],
    ['a subfolder named like a pack file', (d) => mkdirSync(path.join(d, 'evidence.csv')), /not part of an evidence pack: evidence\.csv/],
    ['an unrelated manifest.json', (d) => writeFileSync(path.join(d, 'manifest.json'), '{"name": "my-app", "version": "1.0.0"}'), /holds manifest\.json but no breachscope manifest\.json/],
    ['raw logs', (d) => writeFileSync(path.join(d, 'access.log'), '203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1\n'), /not part of an evidence pack: access\.log/],
  ];
  for (const [what, fill, message] of refusals) {
    test(`when the folder holds ${what} then report refuses with exit 2 and a fix, and writes nothing`, () => {
      const parent = tempDir();
      const out = path.join(parent, 'pack');
      mkdirSync(out);
      fill(out);
      const before = snapshot(parent);
      const r = runCli(['report', casePath, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^ {2}where: .*pack$/m);
      assert.match(r.stderr, /^ {2}fix: +name a new or empty folder/m);
      assert.deepEqual(snapshot(parent), before);
    });
  }

  test('when --out names the case folder itself then report refuses it (it holds the case file and logs)', () => {
    const r = runCli(['report', casePath, '--out', path.dirname(casePath)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not part of an evidence pack: .*case\.yaml/);
  });

  test('when --out names an existing file then report exits 2 with a fix and leaves the file alone', () => {
    const file = path.join(tempDir(), 'pack.txt');
    writeFileSync(file, 'keep');
    const r = runCli(['report', casePath, '--out', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out .*pack\.txt is a file, not a folder/);
    assert.match(r.stderr, /fix: +name a folder for the pack/);
    assert.equal(readFileSync(file, 'utf8'), 'keep');
  });

  test('when --out is new, empty, or holds a previous pack then the pack is written there and nothing is left beside it', () => {
    const parent = tempDir();
    const fresh = path.join(parent, 'a', 'pack');
    report(casePath, fresh);
    assert.deepEqual(readdirSync(fresh).sort(), PACK);
    const empty = path.join(parent, 'empty');
    mkdirSync(empty);
    report(casePath, empty);
    assert.deepEqual(readdirSync(empty).sort(), PACK);
    report(casePath, fresh, ['--generated-at', '2016-01-01T00:00:00Z']);
    assert.equal(generatedAt(fresh), '2016-01-01T00:00:00Z');
    assert.deepEqual(readdirSync(fresh).sort(), PACK);
    assert.equal(runCli(['verify', fresh]).code, 0);
    assert.deepEqual(readdirSync(parent).sort(), ['a', 'empty']);
    assert.deepEqual(readdirSync(path.join(parent, 'a')), ['pack']);
  });

  test('when a report is killed before its pack is in place then the previous pack stays whole, and the next run clears what was left', async () => {
    const parent = tempDir();
    const out = path.join(parent, 'pack');
    report(casePath, out);
    const before = snapshot(out);
    const p = spawnCli(['report', casePath, '--out', out, '--generated-at', '2016-01-01T00:00:00Z'], { env: { BREACHSCOPE_TRACE_STAGES: '1', BREACHSCOPE_STAGE_PAUSE_MS: '300' } });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      p.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('stage pack-staged')) {
          p.kill('SIGKILL');
          resolve();
        }
      });
      p.on('exit', () => reject(new Error(`report ended before its pack was staged: ${err}`)));
    });
    await new Promise((resolve) => p.on('exit', resolve));
    assert.deepEqual(snapshot(out), before, 'the previous pack is untouched');
    assert.equal(runCli(['verify', out]).code, 0);
    assert.equal(readdirSync(parent).filter((e) => e.startsWith('.pack.tmp-')).length, 1, 'the killed run left its staging folder');
    report(casePath, out, ['--generated-at', '2016-01-01T00:00:00Z']);
    assert.equal(generatedAt(out), '2016-01-01T00:00:00Z');
    assert.deepEqual(readdirSync(parent), ['pack'], 'the next run removed it');
  });
});
