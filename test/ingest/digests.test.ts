// The hash worker (src/ingest/digests.ts, worker-digest.ts): the same digests as the main thread,
// its failures as a UserError, and no process kept alive by it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HashWorker } from '../../src/ingest/worker-digest.js';
import { UserError } from '../../src/util/user-error.js';
import { combinedLine, ROOT, tempDir } from '../helpers.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A log of `n` lines, a few MB: several read chunks, and gzip chunks of every size. */
function log(n: number): Buffer {
  const rows = Array.from({ length: n }, (_, i) => `${combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: `/p/${i}`, ua: `ua ${'x'.repeat(i % 300)}` })}\n`);
  return Buffer.from(rows.join(''));
}

/** The built module: from the sources (tsx) a worker cannot load its TypeScript script, and everything is hashed in-thread. */
const { examine } = (await import(path.join(ROOT, 'dist', 'src', 'ingest', 'prepass.js'))) as typeof import('../../src/ingest/prepass.js');

async function examineWith(minBytes: string, file: string, offsets: readonly number[]) {
  const before = process.env.BREACHSCOPE_HASH_WORKER_MIN_BYTES;
  process.env.BREACHSCOPE_HASH_WORKER_MIN_BYTES = minBytes;
  try {
    return await examine(file, statSync(file).size, { prefixOffsets: offsets });
  } finally {
    if (before === undefined) delete process.env.BREACHSCOPE_HASH_WORKER_MIN_BYTES;
    else process.env.BREACHSCOPE_HASH_WORKER_MIN_BYTES = before;
  }
}

describe('hashing in a worker thread', () => {
  const content = log(30_000);
  const dir = tempDir();
  const plain = path.join(dir, 'access.log');
  const gz = path.join(dir, 'access.log.gz');
  writeFileSync(plain, content);
  writeFileSync(gz, gzipSync(content));
  // Offsets at 0, inside the first chunk, on a chunk boundary, mid-file, at the end and past it.
  const offsets = [0, 1000, 1 << 20, 1234567, content.length, content.length + 1];
  const expectedPrefixes = new Map(offsets.filter((n) => n <= content.length).map((n) => [n, sha256(content.subarray(0, n))]));

  for (const [name, file] of [['plain', plain], ['gzip', gz]] as const) {
    test(`when a ${name} file is hashed in the worker then its SHA-256, content SHA-256 and prefix digests are those of its bytes`, async () => {
      const inWorker = await examineWith('0', file, offsets);
      const inThread = await examineWith('Infinity', file, offsets);
      const bytes = readFileSync(file);
      assert.equal(inWorker.sha256, sha256(bytes));
      assert.equal(inWorker.contentSha256, sha256(name === 'gzip' ? gunzipSync(bytes) : bytes));
      assert.deepEqual(inWorker.prefixSha256, expectedPrefixes);
      assert.deepEqual([inWorker.sha256, inWorker.contentSha256, inWorker.prefixSha256], [inThread.sha256, inThread.contentSha256, inThread.prefixSha256]);
      assert.equal(inWorker.physicalLines, 30_000);
    });
  }

  test('when the worker throws then the job fails with a UserError, exit 3, naming the file and the cause', async () => {
    const script = path.join(tempDir(), 'broken-worker.mjs');
    writeFileSync(script, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => { if (m.type !== 'start') throw new Error('disk on fire'); });\n");
    const job = new HashWorker(new URL(`file://${script}`)).start({ file: '/logs/access.log', gzip: false, offsets: [], size: 10 })!;
    job.raw(Buffer.from('GET / HTTP/1.1\n'));
    const failed = await job.finish().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failed instanceof UserError, `a UserError, not ${String(failed)}`);
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.messages[0]!.what, '/logs/access.log: hashing the file failed in its worker thread');
    assert.equal(failed.messages[0]!.why, 'disk on fire');
  });

  test('when a job is aborted mid-file then the next job on the same worker gives the digests of its own bytes', async () => {
    const worker = new HashWorker(new URL(`file://${path.join(ROOT, 'dist', 'src', 'ingest', 'hash-worker.js')}`));
    const first = worker.start({ file: 'a.log', gzip: false, offsets: [], size: content.length })!;
    for (let at = 0; at < content.length; at += 1 << 20) first.raw(content.subarray(at, at + (1 << 20)));
    // A read error: the job ends without digests, its chunks still being hashed.
    first.abort();
    const second = worker.start({ file: 'b.log', gzip: false, offsets: [100], size: 5000 })!;
    assert.ok(second, 'the worker takes the next job');
    // The first job's acknowledgements arrive meanwhile; they must not count for the second.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const bytes = content.subarray(0, 5000);
    second.raw(bytes);
    const digests = await second.finish();
    assert.deepEqual([digests.sha256, digests.prefixSha256], [sha256(bytes), new Map([[100, sha256(bytes.subarray(0, 100))]])]);
  });

  test('when the worker has hashed a file then the process exits without being told to', () => {
    // A child that only examines a file through the worker and then returns: an idle worker that kept it alive would hang it.
    const code = `import { examine } from ${JSON.stringify(path.join(ROOT, 'dist', 'src', 'ingest', 'prepass.js'))};
      const f = await examine(${JSON.stringify(plain)}, ${content.length});
      console.log(f.sha256);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, BREACHSCOPE_HASH_WORKER_MIN_BYTES: '0' } });
    assert.equal(r.signal, null, 'the process exited by itself');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), sha256(content));
  });
});
