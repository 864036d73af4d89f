import assert from 'node:assert/strict';
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadCaseFile } from '../../src/case/case-file.js';
import { DashboardData } from '../../src/dashboard/dashboard-data.js';
import { Store } from '../../src/db/store.js';
import { analyzeJson, ROOT, runCli, tempDir } from '../helpers.js';

/**
 * A line is counted once, whatever rotation, renaming, recompression or copying did to its file.
 * Every scenario ends with the Ticketviewer sample's own three files in place, so its figures are
 * the ICO's (235 / 119 / 36 / 71) however the store got there.
 */
const SAMPLE = path.join(ROOT, 'sample-logs', 'ticketviewer');
const FIGURES = { unauthorized_accesses: 235, documents: 119, unique_ips: 36, affected_subjects: 71 };

const current = readFileSync(path.join(SAMPLE, 'logs', 'access.log'));
const previous = readFileSync(path.join(SAMPLE, 'logs', 'access.log.1'));
const oldest = gunzipSync(readFileSync(path.join(SAMPLE, 'logs', 'access.log.2.gz')));

/** The first `n` lines of a content, line ends included. */
function head(content: Buffer, n: number): Buffer {
  let at = 0;
  for (let i = 0; i < n; i++) at = content.indexOf(0x0a, at) + 1;
  return content.subarray(0, at);
}

/** A copy of the sample's case folder without its logs and store. */
function caseFolder(): { dir: string; logs: string; casePath: string } {
  const dir = tempDir('bs-rotation-');
  cpSync(SAMPLE, dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  const logs = path.join(dir, 'logs');
  rmSync(logs, { recursive: true });
  cpSync(path.join(SAMPLE, 'logs'), logs, { recursive: true });
  for (const f of ['access.log', 'access.log.1', 'access.log.2.gz']) rmSync(path.join(logs, f));
  return { dir, logs, casePath: path.join(dir, 'case.yaml') };
}

function figures(casePath: string) {
  const s = analyzeJson(casePath).summary;
  return { unauthorized_accesses: s.unauthorized_accesses, documents: s.documents, unique_ips: s.unique_ips, affected_subjects: s.affected_subjects };
}

function sampleInPlace(logs: string): void {
  writeFileSync(path.join(logs, 'access.log'), current);
  writeFileSync(path.join(logs, 'access.log.1'), previous);
  writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
}

describe('log rotation', () => {
  it('when access.log was read at 600 lines, grew, and logrotate renamed it to .1 (the older .1 compressed to .2.gz) then every line is counted once', () => {
    const { logs, casePath } = caseFolder();
    writeFileSync(path.join(logs, 'access.log.1'), oldest);
    writeFileSync(path.join(logs, 'access.log'), head(previous, 600));
    const before = analyzeJson(casePath);
    assert.equal(before.ingest.files.length, 2);
    // logrotate: .1 -> .2.gz (compress), access.log (grown to its full content) -> .1, a new access.log
    rmSync(path.join(logs, 'access.log.1'));
    writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
    writeFileSync(path.join(logs, 'access.log.1'), previous);
    writeFileSync(path.join(logs, 'access.log'), current);
    assert.deepEqual(figures(casePath), FIGURES);
    const r = runCli(['ingest', casePath, '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('when the new access.log is empty right after the rename then the grown .1 adds only its new lines', () => {
    const { logs, casePath } = caseFolder();
    writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
    writeFileSync(path.join(logs, 'access.log.1'), previous);
    writeFileSync(path.join(logs, 'access.log'), head(current, 700));
    analyzeJson(casePath);
    renameSync(path.join(logs, 'access.log'), path.join(logs, 'access.log.0'));
    writeFileSync(path.join(logs, 'access.log.0'), current);
    writeFileSync(path.join(logs, 'access.log'), '');
    assert.deepEqual(figures(casePath), FIGURES);
  });

  it('when Debian rotates with compress and delaycompress and no new traffic then nothing is counted twice', () => {
    const { logs, casePath } = caseFolder();
    writeFileSync(path.join(logs, 'access.log.1'), oldest);
    writeFileSync(path.join(logs, 'access.log'), previous);
    analyzeJson(casePath);
    // .1 becomes .2.gz, access.log becomes .1, a new access.log gets the day's traffic
    rmSync(path.join(logs, 'access.log.1'));
    writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
    renameSync(path.join(logs, 'access.log'), path.join(logs, 'access.log.1'));
    writeFileSync(path.join(logs, 'access.log'), current);
    assert.deepEqual(figures(casePath), FIGURES);
  });

  it('when a .gz is decompressed beside itself (gunzip -k) then the two files are one content, counted once', () => {
    const { logs, casePath } = caseFolder();
    sampleInPlace(logs);
    writeFileSync(path.join(logs, 'access.log.2'), oldest);
    const a = analyzeJson(casePath);
    assert.deepEqual({ unauthorized_accesses: a.summary.unauthorized_accesses, documents: a.summary.documents, unique_ips: a.summary.unique_ips, affected_subjects: a.summary.affected_subjects }, FIGURES);
    // Both files are inputs of the case; the lines are counted under one of them.
    const both = a.ingest.files.filter((f) => f.path.startsWith('logs/access.log.2'));
    assert.equal(both.length, 2);
    assert.equal(a.ingest.lines, 2606, 'every non-blank line of the three contents, once');
  });

  it('when a copy was taken before the log grew then its lines are the log\'s, counted once (copy read first or last)', () => {
    for (const order of ['copy first', 'copy last']) {
      const { logs, casePath } = caseFolder();
      sampleInPlace(logs);
      const early = head(current, 500);
      if (order === 'copy first') {
        writeFileSync(path.join(logs, 'access.log'), early);
        analyzeJson(casePath);
        writeFileSync(path.join(logs, 'access.log'), current);
      } else analyzeJson(casePath);
      writeFileSync(path.join(logs, 'access.log.bak'), early);
      assert.deepEqual(figures(casePath), FIGURES, order);
    }
  });

  it('when a copy was taken while a line was being written (it ends inside a line) then its lines are still the log\'s, counted once', () => {
    const { logs, casePath } = caseFolder();
    sampleInPlace(logs);
    analyzeJson(casePath);
    const whole = head(current, 400);
    writeFileSync(path.join(logs, 'access.log.partial'), whole.subarray(0, whole.length - 40));
    assert.deepEqual(figures(casePath), FIGURES);
  });

  it('when a rotation moves the read content to another name then no "content changed" warning is given; when a rewrite loses it, one is', () => {
    const { logs, casePath } = caseFolder();
    writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
    writeFileSync(path.join(logs, 'access.log'), previous);
    analyzeJson(casePath);
    renameSync(path.join(logs, 'access.log'), path.join(logs, 'access.log.1'));
    writeFileSync(path.join(logs, 'access.log'), current);
    const r = runCli(['ingest', casePath, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: { path: string; warnings: string[] }[] }).files;
    assert.deepEqual(files.flatMap((f) => f.warnings), []);
    writeFileSync(path.join(logs, 'access.log'), '192.0.2.1 - - [13/Apr/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "x"\n');
    const again = JSON.parse(runCli(['ingest', casePath, '--json']).stdout) as { files: { path: string; warnings: string[] }[] };
    const log = again.files.find((f) => f.path === 'logs/access.log')!;
    assert.ok(log.warnings.some((w) => /no file of the case holds the earlier content now/.test(w)), JSON.stringify(log.warnings));
  });

  it('when a file holds an excerpt of another (lines from its middle) then the run is refused naming both, exit 2', () => {
    const { logs, casePath } = caseFolder();
    sampleInPlace(logs);
    const lines = current.toString('utf8').split('\n');
    writeFileSync(path.join(logs, 'access.log.excerpt'), `${lines.slice(300, 420).join('\n')}\n`);
    const r = runCli(['analyze', casePath]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /access\.log\.excerpt and logs\/access\.log hold the same lines|access\.log and logs\/access\.log\.excerpt hold the same lines/);
    assert.match(r.stderr, /from line 301/);
    assert.equal(r.stdout, '');
  });

  it('when a log is rewritten in place (not appended to) then only its new content counts, and the old content is named as not counted', () => {
    const { logs, casePath } = caseFolder();
    sampleInPlace(logs);
    analyzeJson(casePath);
    // The current file now holds only its second half: a different content at the same path.
    const lines = current.toString('utf8').split('\n');
    writeFileSync(path.join(logs, 'access.log'), `${lines.slice(490).join('\n')}`);
    const after = analyzeJson(casePath);
    const fresh = tempDir('bs-rotation-fresh-');
    const again = analyzeJson(casePath, ['--db', fresh]);
    assert.equal(after.summary.unauthorized_accesses, again.summary.unauthorized_accesses);
    assert.ok(after.summary.unauthorized_accesses < 235);
    const warnings = (after as unknown as { warnings: { code: string }[] }).warnings.map((w) => w.code);
    assert.ok(warnings.includes('store_files_not_in_case'), warnings.join(','));
  });

  it('when dashboard --follow refreshes after the last lines landed just before the rename then they are read once', async () => {
    const { logs, casePath } = caseFolder();
    const lines = previous.toString('utf8').split('\n').length - 1;
    writeFileSync(path.join(logs, 'access.log.1'), oldest);
    writeFileSync(path.join(logs, 'access.log'), head(previous, lines - 3));
    const caseFile = loadCaseFile(casePath);
    const store = await Store.open(path.join(caseFile.dir, '.breachscope'));
    try {
      const data = new DashboardData(store, caseFile);
      assert.equal(await data.ingest(), undefined);
      // The server writes its last three lines; logrotate runs before the next poll.
      writeFileSync(path.join(logs, 'access.log'), previous);
      rmSync(path.join(logs, 'access.log.1'));
      writeFileSync(path.join(logs, 'access.log.2.gz'), gzipSync(oldest));
      renameSync(path.join(logs, 'access.log'), path.join(logs, 'access.log.1'));
      writeFileSync(path.join(logs, 'access.log'), current);
      assert.equal(await data.ingest(), undefined);
      const s = (await data.snapshot(caseFile.window)).analysis.summary;
      assert.deepEqual({ unauthorized_accesses: s.unauthorized_accesses, documents: s.documents, unique_ips: s.unique_ips, affected_subjects: s.affected_subjects }, FIGURES);
    } finally {
      store.close();
    }
  });
});
