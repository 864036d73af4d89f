import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { manifestText, sha256, type Manifest } from '../../src/report/evidence-pack.js';
import { CLI, ROOT, runCli, tempDir } from '../helpers.js';
import { copySample, report } from './pack-fixtures.js';

const casePath = copySample('ticketviewer');
const original = path.join(tempDir(), 'pack');
report(casePath, original);

/** A copy of the ticketviewer pack (235 accesses / 119 documents / 36 IPs / 71 people). */
function packCopy(): string {
  const dir = path.join(tempDir(), 'pack');
  cpSync(original, dir, { recursive: true });
  return dir;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest & Record<string, unknown>;

/** Writes a manifest as a forger would: outputs re-hashed from the files, self hash recomputed. */
function forge(dir: string, edit: (m: Manifest & Record<string, unknown>) => unknown = (m) => m, rehash = true): void {
  const m = readManifest(dir);
  if (rehash) {
    (m as { outputs: unknown }).outputs = m.outputs.map((o) => {
      const bytes = readFileSync(path.join(dir, o.path));
      return { path: o.path, sha256: sha256(bytes), bytes: bytes.length };
    });
  }
  const edited = edit(m) as Manifest;
  const text = edited !== null && typeof edited === 'object' && !Array.isArray(edited) ? manifestText({ ...edited, self_sha256: sha256(manifestText({ ...edited, self_sha256: '' })) }) : JSON.stringify(edited);
  writeFileSync(path.join(dir, 'manifest.json'), text);
}

/** verify with a time limit: a check that opens a FIFO or /dev/zero must not hang the test. */
function verify(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'verify', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.signal, null, `verify did not finish: ${r.stdout}${r.stderr}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('verify reads the manifest as hostile', () => {
  test('when the manifest lists a file outside the folder with its true hash then verify exits 1 naming it and does not open it', () => {
    const dir = packCopy();
    const outside = path.join(path.dirname(dir), 'secret.txt');
    writeFileSync(outside, 'outside the pack');
    forge(dir, (m) => ({ ...m, outputs: [...m.outputs, { path: '../secret.txt', sha256: sha256(readFileSync(outside)), bytes: 16 }, { path: '../../../../etc/passwd', sha256: '0'.repeat(64), bytes: 1 }] }));
    const r = verify([dir]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^foreign +\.\.\/secret\.txt {2}listed in the manifest, but not a file of an evidence pack; not opened$/m);
    assert.match(r.stdout, /^foreign +\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd /m);
  });

  test('when the manifest lists ../../dev/zero or a FIFO then verify exits 1 at once without reading them', () => {
    const dir = packCopy();
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    forge(dir, (m) => ({ ...m, outputs: [...m.outputs, { path: '../../dev/zero', sha256: '0'.repeat(64), bytes: 1 }, { path: 'pipe', sha256: '0'.repeat(64), bytes: 1 }] }));
    const r = verify([dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^foreign +\.\.\/\.\.\/dev\/zero /m);
    assert.match(r.stdout, /^foreign +pipe /m);
    assert.match(r.stdout, /^extra +pipe$/m);
  });

  test('when a pack file is a FIFO or a symbolic link then verify names it and never opens it', () => {
    const dir = packCopy();
    rmSync(path.join(dir, 'evidence.csv'));
    execFileSync('mkfifo', [path.join(dir, 'evidence.csv')]);
    const outside = path.join(tempDir(), 'report.md');
    cpSync(path.join(dir, 'report.md'), outside);
    rmSync(path.join(dir, 'report.md'));
    symlinkSync(outside, path.join(dir, 'report.md'));
    const r = verify([dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^not-file +evidence\.csv {2}a FIFO, not a regular file; not opened$/m);
    assert.match(r.stdout, /^not-file +report\.md {2}a symbolic link, not a regular file; not opened$/m);
  });

  test('when the manifest lists no outputs then the pack is not intact: each file of a pack is named', () => {
    const dir = packCopy();
    forge(dir, (m) => ({ ...m, outputs: [] }), false);
    const r = verify([dir]);
    assert.equal(r.code, 1);
    for (const f of ['report.html', 'report.md', 'evidence.csv', 'evidence.parquet', 'evidence.arrow', 'subjects.csv']) assert.match(r.stdout, new RegExp(`^unlisted +${f.replace('.', '\\.')} `, 'm'));
  });

  test('when a pack file is missing from the folder and from the manifest then verify says it is missing', () => {
    const dir = packCopy();
    rmSync(path.join(dir, 'evidence.arrow'));
    forge(dir, (m) => ({ ...m, outputs: m.outputs.filter((o) => o.path !== 'evidence.arrow') }), false);
    const r = verify([dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^missing +evidence\.arrow$/m);
  });

  const shapes: [string, unknown, RegExp][] = [
    ['null', null, /^invalid +manifest\.json {2}\(the whole manifest\): /m],
    ['outputs not a list', 'outputs', /^invalid +manifest\.json {2}outputs: /m],
    ['a figure not a number', 'figures', /^invalid +manifest\.json {2}figures\.unauthorized_accesses: /m],
    ['not JSON', 'text', /^invalid +manifest\.json {2}not JSON$/m],
  ];
  for (const [what, how, message] of shapes) {
    test(`when the manifest is ${what} then verify exits 1 naming the problem, not 3`, () => {
      const dir = packCopy();
      if (how === 'text') writeFileSync(path.join(dir, 'manifest.json'), '{"tool": ');
      else forge(dir, (m) => (how === 'outputs' ? { ...m, outputs: 'all of them' } : how === 'figures' ? { ...m, figures: { ...m.figures, unauthorized_accesses: '235' } } : null), false);
      const r = verify([dir]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, message);
      assert.doesNotMatch(r.stderr, /TypeError|at /);
    });
  }

  test('when the folder has no manifest.json then it is not an evidence pack: exit 2 with a fix', () => {
    const dir = packCopy();
    rmSync(path.join(dir, 'manifest.json'));
    const r = verify([dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not an evidence pack: it has no manifest\.json/);
    assert.match(r.stderr, /fix: +pass the folder given to breachscope report --out/);
  });

  test('when a name in the folder holds escape sequences then verify prints them as visible escapes', () => {
    const dir = packCopy();
    writeFileSync(path.join(dir, 'x\x1b]0;owned\x07.txt'), '');
    const r = verify([dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^extra +x\\x1b\]0;owned\\x07\.txt$/m);
    assert.doesNotMatch(r.stdout, /\x1b/);
  });
});

describe('verify cross-checks the figures', () => {
  test('when 180 evidence rows are dropped, the figure set to 55 and every hash recomputed then verify exits 1 naming what disagrees', async () => {
    const dir = packCopy();
    const csv = path.join(dir, 'evidence.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    assert.equal(lines.length, 1 + 235 + 1);
    writeFileSync(csv, `${lines.slice(0, 1 + 55).join('\n')}\n`);
    forge(dir, (m) => ({ ...m, figures: { ...m.figures, unauthorized_accesses: 55 } }));
    const r = verify([dir]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^differs +evidence\.parquet {2}unauthorized_accesses is 55 in the manifest; the file has 235 rows$/m);
    assert.match(r.stdout, /^differs +evidence\.arrow {2}unauthorized_accesses is 55 in the manifest; the file has 235 rows$/m);
    assert.match(r.stdout, /^differs +evidence\.csv {2}documents is 119 in the manifest; the file has \d+ distinct documents$/m);
    assert.doesNotMatch(r.stdout, /^changed/m, 'every hash agrees: only the figures tell');
  });

  test('when people are dropped from subjects.csv and every hash recomputed then verify names subjects.csv', () => {
    const dir = packCopy();
    const csv = path.join(dir, 'subjects.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    assert.equal(lines.length, 1 + 71 + 1);
    writeFileSync(csv, `${lines.slice(0, 1 + 70).join('\n')}\n`);
    forge(dir);
    const r = verify([dir]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^differs +subjects\.csv {2}affected_subjects is 71 in the manifest; the file has 70 rows$/m);
  });

  test('when the pack is intact then every figure agrees with every evidence file and with subjects.csv', () => {
    const r = verify([original]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^intact: .* matches manifest\.json and its figures$/m);
  });
});

describe('verify --case', () => {
  test('when a log or reference file of the case changed or went missing then verify --case exits 1 naming each; untouched it exits 0', () => {
    const c = copySample('ticketviewer');
    const dir = path.join(tempDir(), 'pack');
    report(c, dir);
    assert.equal(verify([dir, '--case', c]).code, 0);
    const m = readManifest(dir);
    const logs = m.inputs.filter((i) => i.role.startsWith('source '));
    assert.ok(logs.length > 0);
    const log = path.join(path.dirname(c), logs[0]!.path);
    const bytes = readFileSync(log);
    bytes[100] = bytes[100]! ^ 0x01;
    writeFileSync(log, bytes);
    const owners = m.inputs.find((i) => i.role === 'documents.owners')!;
    rmSync(path.join(path.dirname(c), owners.path));
    const r = verify([dir, '--case', c]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`^changed +${logs[0]!.path.replaceAll('.', '\\.')} {2}input \\(source web\\): its SHA-256 differs from the manifest's$`, 'm'));
    assert.match(r.stdout, new RegExp(`^missing +${owners.path.replaceAll('.', '\\.')} {2}input \\(documents\\.owners\\): not found at `, 'm'));
    assert.equal(verify([dir]).code, 0, 'without --case only the pack is checked');
  });

  test('when a log only grew since the report then verify --case finds the bytes it read unchanged', () => {
    const c = copySample('ticketviewer');
    const dir = path.join(tempDir(), 'pack');
    report(c, dir);
    const log = readManifest(dir).inputs.find((i) => i.role.startsWith('source ') && !i.path.endsWith('.gz'))!;
    appendFileSync(path.join(path.dirname(c), log.path), '203.0.113.9 - - [12/Apr/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"\n');
    const r = verify([dir, '--case', c]);
    assert.equal(r.code, 0, r.stdout);
  });
});
