// Golden files: an output compared exactly with a file in the repo, rewritten instead when
// BREACHSCOPE_UPDATE_GOLDENS=1 (then read the diff before committing it).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const UPDATE = process.env.BREACHSCOPE_UPDATE_GOLDENS === '1';

export function assertGoldenText(file: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no golden file ${path.relative(process.cwd(), file)}: write it with BREACHSCOPE_UPDATE_GOLDENS=1 (see the top of this test) and check it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${path.relative(process.cwd(), file)}`);
}

