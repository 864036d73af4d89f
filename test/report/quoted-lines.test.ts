// The lines a pack quotes that the store keeps only as a hash and length (the fast path's): read
// again from the case's file that holds them now, and refused when that file or line changed.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Store } from '../../src/db/store.js';
import { runCli, spawnCli, tempDir } from '../helpers.js';
import { largeCase, readCsv, report } from './pack-fixtures.js';

const N = 40;

function ingestFast(c: string): void {
  const r = runCli(['ingest', c, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { files: { reader: string }[] }).files.map((f) => f.reader), ['fast']);
}

describe('lines quoted from the file again', () => {
  test('when the lines read from access.log are held by a rotated, gzipped file now then each raw line is that file\'s line, byte for byte', async () => {
    const c = largeCase(N);
    const logs = path.join(path.dirname(c), 'logs');
    ingestFast(c);
    const text = readFileSync(path.join(logs, 'access.log'));
    writeFileSync(path.join(logs, 'access.log.1.gz'), gzipSync(text));
    rmSync(path.join(logs, 'access.log'));
    writeFileSync(c, readFileSync(c, 'utf8').replace('path: logs/access.log,', 'path: "logs/access.log*",'));
    const out = tempDir();
    assert.equal(report(c, out).summary, N);
    const rows = await readCsv(path.join(out, 'evidence.csv'));
    const lines = gunzipSync(readFileSync(path.join(logs, 'access.log.1.gz'))).toString('utf8').split('\n');
    assert.equal(rows.length, N);
    for (const r of rows) {
      assert.equal(r.file, 'logs/access.log.1.gz');
      assert.equal(r.raw_line, lines[Number(r.line) - 1], `line ${r.line}`);
    }
  });

  test('when the log changes after the report read it and before its lines are quoted then report exits 3 naming the file, and writes no pack', async () => {
    const c = largeCase(N);
    const log = path.join(path.dirname(c), 'logs', 'access.log');
    const out = tempDir();
    // The run waits at the quoting stage, so the change lands before the file is read again.
    const p = spawnCli(['report', c, '--out', out], { env: { BREACHSCOPE_TRACE_STAGES: '1', BREACHSCOPE_STAGE_PAUSE_MS: '2000', BREACHSCOPE_STAGE_PAUSE_AT: 'quoting' } });
    let stderr = '';
    let changed = false;
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!changed && /^stage quoting /m.test(stderr)) {
        // The same length, one byte other: only the hash can tell.
        const bytes = readFileSync(log);
        bytes[10] = bytes[10] === 0x31 ? 0x32 : 0x31;
        writeFileSync(log, bytes);
        changed = true;
      }
    });
    const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
    assert.equal(changed, true, 'the quoting stage was reached');
    assert.equal(code, 3, stderr);
    assert.match(stderr, /^error: a log file changed after this run read it$/m);
    assert.match(stderr, /^ {2}why: +its bytes no longer have the SHA-256 this run read$/m);
    assert.match(stderr, /^ {2}where: +logs\/access\.log$/m);
    assert.doesNotMatch(stderr, /^\s+at /m);
    assert.equal(readFileSync(log).length > 0, true);
    assert.throws(() => readFileSync(path.join(out, 'manifest.json')), /ENOENT/);
  });

  test('when a stored line\'s hash is not the file line\'s then report exits 3 naming file and line', async () => {
    const c = largeCase(N);
    ingestFast(c);
    const store = await Store.open(path.join(path.dirname(c), '.breachscope'));
    try {
      await store.run('UPDATE lines SET h = xor(h, 1::UBIGINT) WHERE line = 7');
    } finally {
      store.close();
    }
    const r = runCli(['report', c, '--out', tempDir()]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: a log file changed after this run read it$/m);
    assert.match(r.stderr, /^ {2}where: +logs\/access\.log:7$/m);
  });
});

