import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeCase, runCli, spawnCli, tempDir } from '../helpers.js';

const CASE_FILES = {
  'access.log': '203.0.113.7 - - [16/Mar/2015:10:00:00 +0000] "GET /d/1 HTTP/1.1" 200 1 "-" "-"\n203.0.113.8 - alice [16/Mar/2015:10:00:01 +0000] "GET /d/2 HTTP/1.1" 200 1 "-" "-"\n',
  'owners.csv': 'document_id,owner_account\n1,bob\n2,carol\n',
};
const CASE = 'sources: [{name: web, path: access.log}]\ndocuments:\n  routes: [/d/{doc}]\n  owners: owners.csv\n';

describe('numeric options', () => {
  const cases: [string[], RegExp][] = [
    [['analyze', '--top', 'abc'], /--top <n>' argument 'abc' is invalid\. 'abc' is not a whole number of at least 1/],
    [['analyze', '--top', '-1'], /--top <n>' argument '-1' is invalid/],
    [['analyze', '--top', '0'], /--top <n>' argument '0' is invalid/],
    [['report', '--out', 'x', '--gap-hours', 'abc'], /--gap-hours <n>' argument 'abc' is invalid/],
    [['report', '--out', 'x', '--gap-hours', '-1'], /--gap-hours <n>' argument '-1' is invalid/],
    [['report', '--out', 'x', '--max-rows', '1e9'], /--max-rows <n>' argument '1e9' is invalid/],
    [['report', '--out', 'x', '--max-rows', '12abc'], /--max-rows <n>' argument '12abc' is invalid/],
  ];
  for (const [args, message] of cases) {
    test(`when ${args.slice(-2).join(' ')} is given then exit 2 with a message and nothing is run`, () => {
      const path = makeCase(CASE, CASE_FILES);
      const out = join(tempDir(), 'pack');
      const r = runCli([args[0]!, path, ...args.slice(1).map((a) => (a === 'x' ? out : a))]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(existsSync(out), false);
    });
  }

  test('when --top 1 is given then each top list has one row', () => {
    const r = runCli(['analyze', makeCase(CASE, CASE_FILES), '--json', '--top', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { top: { ips: unknown[] } }).top.ips.length, 1);
  });
});

/** Runs the CLI with its stdout closed by the reader at once, as `| head -1` does after a line. */
function closedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(args);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy();
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout (| head -1)', () => {
  test('when analyze writes to a closed pipe then it ends quietly with exit 0', async () => {
    const r = await closedPipe(['analyze', makeCase(CASE, CASE_FILES)]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|^\s+at /m);
  });

  test('when report writes to a closed pipe then it ends quietly with exit 0', async () => {
    const r = await closedPipe(['report', makeCase(CASE, CASE_FILES), '--out', join(tempDir(), 'pack'), '--generated-at', '2015-04-20T00:00:00Z']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|^\s+at /m);
  });
});

describe('--json key style', () => {
  test('when ingest --json runs then it is {schema_version: 1, files} with snake_case keys', () => {
    const r = runCli(['ingest', makeCase(CASE, CASE_FILES), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { schema_version: number; files: Record<string, unknown>[] };
    assert.equal(j.schema_version, 1);
    const f = j.files[0]!;
    assert.equal(f.format_reason !== undefined, true);
    assert.deepEqual(f.reject_examples, []);
    for (const key of Object.keys(f)) assert.match(key, /^[a-z0-9_]+$/, `key ${key}`);
  });

  test('when analyze --json runs then it carries schema_version 1 and detector files relative to the package', () => {
    const r = runCli(['analyze', makeCase(CASE, CASE_FILES), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { schema_version: number; detectors: { id: string; file: string }[] };
    assert.equal(j.schema_version, 1);
    const anon = j.detectors.find((d) => d.id === 'anonymous_document_access')!;
    assert.equal(anon.file, 'queries/anonymous_document_access.sql');
  });
});

describe('memory limit', () => {
  test('when DuckDB runs out of BREACHSCOPE_MEMORY_LIMIT then exit 3 says so and how to raise it, not that an input is malformed', () => {
    const path = makeCase(CASE, CASE_FILES);
    const r = runCli(['analyze', path], { env: { BREACHSCOPE_MEMORY_LIMIT: '4MB' } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /DuckDB ran out of the memory it may use/);
    assert.match(r.stderr, /BREACHSCOPE_MEMORY_LIMIT higher \(now 4MB/);
    assert.doesNotMatch(r.stderr, /well-formed|stack trace/);
  });
});
