import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Store } from '../../src/db/store.js';
import { combinedLine, makeCase, runCli, spawnCli, tempDir, writeFiles, type AnalyzeJson } from '../helpers.js';

interface IngestJson {
  files: { path: string; status: string; format: string; lines: number; comments: number; events: number; rejected: number; sha256: string; warnings: string[]; note?: string; reject_examples: { line: number; reason: string }[] }[];
}

function ingest(casePath: string, extra: string[] = []): IngestJson {
  const r = runCli(['ingest', casePath, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as IngestJson;
}

/** Rows of a query on a case's store, read in this process after the CLI has exited. */
async function query(casePath: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await Store.open(path.join(path.dirname(casePath), '.breachscope'));
  try {
    return await store.all(sql);
  } finally {
    store.close();
  }
}

const CASE = (p = 'access.log*', extra = '') => `case: traps\nsources:\n  - name: web\n    path: "${p}"\n    format: combined\n${extra}`;
const L = (i: number, time = '16/Mar/2015:10:00:00 +0000') => combinedLine({ time, path: `/p/${i}`, ua: `ua ${i}` });

describe('ingest traps', () => {
  test('when lines hold \\" escapes then they parse and the raw line is kept byte-exact', async () => {
    const line = String.raw`1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "evil \"ua\" \\"`;
    const c = makeCase(CASE(), { 'access.log': `${line}\n` });
    const f = ingest(c).files[0]!;
    assert.equal(f.rejected, 0);
    const [row] = await query(c, 'SELECT raw, user_agent, line FROM events JOIN lines USING (file_id, line)');
    assert.equal(row!.raw, line);
    assert.equal(row!.user_agent, 'evil "ua" \\');
  });

  test('when a file is gzipped then it is read transparently and its SHA-256 is of the compressed bytes', async () => {
    const text = `${L(1)}\n${L(2)}\n`;
    const c = makeCase(CASE(), { 'access.log.1.gz': text });
    const f = ingest(c).files[0]!;
    assert.equal(f.lines, 2);
    const bytes = readFileSync(path.join(path.dirname(c), 'access.log.1.gz'));
    assert.equal(f.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  test('when blank and whitespace-only lines stand between records then they are skipped and line numbers stay physical', async () => {
    const c = makeCase(CASE(), { 'access.log': `\n${L(1)}\n   \n\t\n${L(2)}\n\n` });
    const f = ingest(c).files[0]!;
    assert.equal(f.lines, 2);
    assert.equal(f.rejected, 0);
    assert.deepEqual((await query(c, 'SELECT line FROM events ORDER BY line')).map((r) => r.line), [2, 5]);
  });

  test('when a line holds invalid UTF-8 then it is kept with U+FFFD and the file gets a warning', async () => {
    const bad = Buffer.concat([Buffer.from('1.2.3.4 - - [16/Mar/2015:10:00:00 +0000] "GET /caf'), Buffer.from([0xe9, 0xff]), Buffer.from(' HTTP/1.1" 200 5 "-" "-"\n')]);
    const c = makeCase(CASE(), { 'access.log': Buffer.concat([Buffer.from(`${L(1)}\n`), bad, Buffer.from(`${L(3)}\n`)]) });
    const f = ingest(c).files[0]!;
    assert.equal(f.lines, 3);
    assert.equal(f.rejected, 0);
    assert.ok(f.warnings.some((w) => /invalid UTF-8/.test(w)));
    const rows = await query(c, 'SELECT line, path FROM events ORDER BY line');
    assert.deepEqual(rows.map((r) => r.line), [1, 2, 3]);
    assert.equal(rows[1]!.path, '/caf\uFFFD\uFFFD');
  });

  test('when a gzip file is truncated then the lines before the damage are kept and a warning names the file', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => L(i + 1)).join('\n') + '\n';
    const gz = gzipSync(Buffer.from(lines));
    const c = makeCase(CASE(), { 'access.log.2.gz': gz.subarray(0, Math.floor(gz.length / 2)) });
    const r = runCli(['ingest', c]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /access\.log\.2\.gz/);
    assert.match(r.stdout, /warning: damaged gzip stream/);
    const n = Number(/lines ([\d,]+)/.exec(r.stdout)![1]!.replace(/,/g, ''));
    assert.ok(n > 0 && n < 2000, `some but not all lines kept, got ${n}`);
    const [{ max, count }] = await query(c, 'SELECT max(line) AS max, count(*) AS count FROM events') as [{ max: number; count: number }];
    assert.equal(count, max, 'every line up to the damage, none after');
  });

  test('when a file has CRLF line ends then lines and fields have no CR and line numbers hold', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\r\n\r\n${L(3)}\r\n` });
    const f = ingest(c).files[0]!;
    assert.equal(f.lines, 2);
    const rows = await query(c, 'SELECT line, user_agent, raw FROM events JOIN lines USING (file_id, line) ORDER BY line');
    assert.deepEqual(rows.map((r) => [r.line, r.user_agent]), [[1, 'ua 1'], [3, 'ua 3']]);
    assert.ok(!String(rows[0]!.raw).includes('\r'));
  });

  test('when the last line has no newline then it is read', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\n${L(2)}` });
    assert.equal(ingest(c).files[0]!.lines, 2);
  });

  test('when lines do not parse then they are counted per file with examples (file:line and reason) and the run goes on', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\ngarbage here\n# a comment\n1.2.3.4 [16/Mar/2015:10:00:00 +0000] "GET / HTTP/1.0" 200 1\n${L(5)}\n` });
    const f = ingest(c).files[0]!;
    assert.deepEqual([f.lines, f.events, f.rejected, f.comments], [4, 2, 2, 1]);
    assert.deepEqual(f.reject_examples.map((x) => x.line), [2, 4]);
    assert.match(f.reject_examples[0]!.reason, /no \[time\] "request" fields/);
    assert.match(f.reject_examples[1]!.reason, /expected host ident user before \[time\] \(combined\), found 1 field/);
    const text = runCli(['ingest', c]);
    assert.equal(text.code, 0);
  });

  test('when more than 20 lines are rejected then 20 examples are shown and all are counted', async () => {
    const c = makeCase(CASE(), { 'access.log': Array.from({ length: 30 }, (_, i) => `junk ${i}`).join('\n') + '\n' });
    const f = ingest(c).files[0]!;
    assert.equal(f.rejected, 30);
    assert.equal(f.reject_examples.length, 20);
    const [{ n }] = await query(c, 'SELECT count(*) AS n FROM rejects') as [{ n: number }];
    assert.equal(n, 30);
  });

  test('when a file path holds quotes, spaces and brackets then it is read', async () => {
    const name = `it's "odd" [1] $x.log`;
    const c = makeCase(`case: q\nsources:\n  - name: web\n    path: ${JSON.stringify(name)}\n`, { [name]: `${L(1)}\n` });
    const f = ingest(c).files[0]!;
    assert.equal(f.lines, 1);
    assert.equal(f.path, name);
  });

  test('when ingest runs again then files already in the store are skipped, new rotated files added, nothing double-counted', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\n${L(2)}\n` });
    ingest(c);
    const dir = path.dirname(c);
    writeFiles(dir, { 'access.log.1': `${L(3)}\n` });
    const second = ingest(c);
    assert.deepEqual(second.files.map((f) => [f.path, f.status]), [['access.log', 'skipped'], ['access.log.1', 'ingested']]);
    const [{ n }] = await query(c, 'SELECT count(*) AS n FROM events') as [{ n: number }];
    assert.equal(n, 3);
  });

  test('when a file grew by appending then only its new lines are read, numbered where they stand', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\n${L(2)}\n` });
    ingest(c);
    appendFileSync(path.join(path.dirname(c), 'access.log'), `\n${L(4)}\n`);
    const f = ingest(c).files[0]!;
    assert.equal(f.status, 'appended');
    assert.equal(f.lines, 1);
    assert.deepEqual((await query(c, 'SELECT line FROM events ORDER BY line')).map((r) => r.line), [1, 2, 4]);
  });

  test('when the last line had no line end and the file then grew then the next lines are read and the cut line is warned about', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\n${L(2).slice(0, 40)}` });
    ingest(c);
    appendFileSync(path.join(path.dirname(c), 'access.log'), `${L(2).slice(40)}\n${L(3)}\n`);
    const f = ingest(c).files[0]!;
    assert.equal(f.status, 'appended');
    assert.equal(f.lines, 1);
    assert.ok(f.warnings.some((w) => /line 2 had no line end when it was ingested/.test(w)), f.warnings.join('; '));
  });

  test('when a file was rewritten (not appended) then it is ingested as a new file with a warning', async () => {
    const c = makeCase(CASE(), { 'access.log': `${L(1)}\n${L(2)}\n` });
    ingest(c);
    writeFileSync(path.join(path.dirname(c), 'access.log'), `${L(7)}\n${L(8)}\n${L(9)}\n`);
    const f = ingest(c).files[0]!;
    assert.equal(f.status, 'ingested');
    assert.ok(f.warnings.some((w) => /changed since it was last ingested/.test(w)));
  });

  test('when auto reads files of different formats then each gets its own and says why', async () => {
    const c = makeCase(`case: a\nsources:\n  - name: web\n    path: "logs/*"\n`, {
      'logs/a.log': `${L(1)}\n`,
      'logs/b.log': '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n',
      'logs/c.log': '{"time":"2022-06-13T09:15:02+01:00","remote_addr":"10.0.0.12","uri":"/x","status":200}\n',
      'logs/d.log': `www.example.com ${L(1)}\n`,
    });
    const files = ingest(c).files;
    assert.deepEqual(files.map((f) => f.format), ['combined', 'common', 'jsonl', 'vhost_combined']);
    assert.match(JSON.stringify(files[0]), /auto: 1 of 1 sampled lines fit combined/);
  });

  test('when auto meets an error log then the file fails naming what it looks like, and the exit code is 2', async () => {
    const c = makeCase(`case: a\nsources:\n  - name: web\n    path: "error.log"\n`, {
      'error.log': '2023/07/29 10:26:06 [error] 1234#1234: *1 open() "/x" failed (2: No such file or directory), client: 1.2.3.4\n',
    });
    const r = runCli(['ingest', c]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /looks like an nginx error log, not an access log; none of the 1 sampled lines fits any format/);
  });
});

describe('crash safety and concurrency', () => {
  const FILES = 3;
  const LINES = 20000;
  function bigCase(): string {
    const files: Record<string, string> = {};
    for (let f = 0; f < FILES; f++) files[`access.log.${f}`] = Array.from({ length: LINES }, (_, i) => L(f * LINES + i)).join('\n') + '\n';
    // Every seventh document has an owner, so the figures are not all zero.
    const owned = Array.from({ length: Math.ceil((FILES * LINES) / 7) }, (_, k) => `${k * 7},owner${k % 13}`);
    files['owners.csv'] = `document_id,owner_account\n${owned.join('\n')}\n`;
    return makeCase(CASE('access.log*', 'documents:\n  routes: ["/p/{doc}"]\n  owners: owners.csv\n'), files);
  }

  /** Resolves true when the run was killed at the stage, false when it ended before reaching it. */
  function killAt(casePath: string, stageName: string, nth: number): Promise<boolean> {
    return new Promise((resolve) => {
      let killed = false;
      const p = spawnCli(['ingest', casePath], { env: { BREACHSCOPE_TRACE_STAGES: '1', BREACHSCOPE_STAGE_PAUSE_MS: '50' } });
      let seen = 0;
      let buf = '';
      p.stderr.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith(`stage ${stageName} `) && ++seen === nth) {
            p.kill('SIGKILL');
            killed = true;
          }
        }
      });
      p.on('exit', () => resolve(killed));
    });
  }

  test('when ingest is killed with -9 at each stage then the rerun gives the same counts as a clean run', async () => {
    const clean = bigCase();
    ingest(clean);
    const cleanRun = JSON.parse(runCli(['analyze', clean, '--json']).stdout) as AnalyzeJson;
    const perFile = (a: AnalyzeJson) => a.ingest.files.map((f) => [f.path, f.lines, f.rejected, f.sha256]);
    assert.deepEqual([cleanRun.summary.unauthorized_accesses, cleanRun.summary.affected_subjects], [Math.ceil((FILES * LINES) / 7), 13]);
    const stages = [['examined', 1], ['numbered-copy-written', 2], ['events-inserted', 1], ['lines-inserted', 2], ['file-row-inserted', 2], ['committed', 1]] as const;
    for (const [stageName, nth] of stages) {
      const c = bigCase();
      assert.equal(await killAt(c, stageName, nth), true, `stage ${stageName} #${nth} reached`);
      const after = ingest(c);
      const [{ n, d }] = await query(c, 'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events') as [{ n: number; d: number }];
      assert.equal(n, FILES * LINES, `killed at ${stageName} #${nth}: every line exactly once`);
      assert.equal(d, n);
      const [{ files }] = await query(c, 'SELECT count(*) AS files FROM files') as [{ files: number }];
      assert.equal(files, FILES);
      // The rerun read exactly the files the killed run had not committed.
      assert.ok(after.files.every((f) => f.status === 'skipped' || f.status === 'ingested'));
      // Figures and per-file counts equal the clean run's.
      const rerun = JSON.parse(runCli(['analyze', c, '--json']).stdout) as AnalyzeJson;
      assert.equal(rerun.ingest.events, FILES * LINES);
      assert.deepEqual(rerun.summary, cleanRun.summary, `killed at ${stageName} #${nth}: same figures`);
      assert.deepEqual(perFile(rerun), perFile(cleanRun));
    }
  });

  test('when a second process opens a store in use then it exits 3 with a clear message and the store stays whole', async () => {
    const c = bigCase();
    const first = spawnCli(['ingest', c], { env: { BREACHSCOPE_TRACE_STAGES: '1', BREACHSCOPE_STAGE_PAUSE_MS: '400' } });
    await new Promise<void>((resolve) => first.stderr.on('data', (d: Buffer) => d.toString().includes('stage examined') && resolve()));
    const second = runCli(['ingest', c]);
    assert.equal(second.code, 3);
    assert.match(second.stderr, /the case store is in use by another breachscope process \(PID \d+\)/);
    assert.match(second.stderr, /fix: +wait for the other run to finish/);
    const code = await new Promise<number | null>((resolve) => first.on('exit', resolve));
    assert.equal(code, 0);
    const [{ n }] = await query(c, 'SELECT count(*) AS n FROM events') as [{ n: number }];
    assert.equal(n, FILES * LINES);
  });
});

describe('earlier copies of a content the fast path read', () => {
  test('when a copy of the log ends inside a line then it adds nothing: its lines match the stored hashes and lengths, the cut line is shorter', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `${L(i + 1)}\n`).join('');
    const c = makeCase(CASE(), { 'access.log': text });
    assert.deepEqual(ingest(c).files.map((f) => [f.path, f.status, f.events]), [['access.log', 'ingested', 300]]);
    const [{ kept }] = (await query(c, 'SELECT count(raw)::INTEGER AS kept FROM lines')) as [{ kept: number }];
    assert.equal(kept, 0, 'the fast path keeps no text');
    const upto = Buffer.byteLength(text.split('\n').slice(0, 200).join('\n')) - 10;
    writeFileSync(path.join(path.dirname(c), 'access.log.partial'), Buffer.from(text).subarray(0, upto));
    const second = ingest(c);
    assert.deepEqual(second.files.map((f) => [f.path, f.status, f.events]), [['access.log', 'skipped', 0], ['access.log.partial', 'skipped', 0]]);
    const [{ n }] = (await query(c, 'SELECT count(*)::INTEGER AS n FROM events')) as [{ n: number }];
    assert.equal(n, 300);
  });

  test('when a copy of the log has one line changed then it is a content of its own, not an earlier copy', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `${L(i + 1)}\n`).join('');
    const c = makeCase(CASE(), { 'access.log': text });
    ingest(c);
    const lines = text.split('\n').slice(0, 200);
    lines[150] = lines[150]!.replace('ua 151', 'ua 999');
    writeFileSync(path.join(path.dirname(c), 'access.log.edited'), `${lines.join('\n')}\n`);
    const second = ingest(c);
    assert.deepEqual(second.files.map((f) => [f.path, f.status]), [['access.log', 'skipped'], ['access.log.edited', 'ingested']]);
  });
});

/** Runs one statement on the case's store file with DuckDB alone (no breachscope schema check): an earlier version's layout. */
async function onStoreFile(casePath: string, sql: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(path.join(path.dirname(casePath), '.breachscope', 'case.duckdb'));
  const conn = await db.connect();
  try {
    await conn.run(sql);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('stores of an earlier version', () => {
  test('when the store keeps raw lines in events (before the lines table) then ingest exits 3 and says to ingest into a new store', async () => {
    const c = makeCase(CASE(), { 'access.log': `${combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: '/a' })}\n` });
    (await import('node:fs')).mkdirSync(path.join(path.dirname(c), '.breachscope'));
    await onStoreFile(c, 'CREATE TABLE events (event_id BIGINT, raw VARCHAR NOT NULL)');
    const r = runCli(['ingest', c]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /written by an earlier version of breachscope/);
    assert.match(r.stderr, /fix: +ingest into a new store/);
  });

  test('when the store keeps every raw line and no line lengths (before lines were read again from the file) then ingest exits 3', async () => {
    const c = makeCase(CASE(), { 'access.log': `${combinedLine({ time: '16/Mar/2015:10:00:00 +0000', path: '/a' })}\n` });
    assert.equal(runCli(['ingest', c]).code, 0);
    await onStoreFile(c, 'ALTER TABLE lines DROP COLUMN len');
    const r = runCli(['analyze', c]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /written by an earlier version of breachscope/);
  });
});
