// `--help` of the program and of every command, compared exactly with test/cli/golden/help-<command>.txt
// (help-breachscope.txt for the top level). After an intended change to a command's options,
// description or examples, refresh them with:
//   npm run build && BREACHSCOPE_UPDATE_GOLDENS=1 node test/run.mjs test/cli/help-golden
// and read the diff before committing it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGoldenText } from '../golden.js';
import { runCli } from '../helpers.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');

/** Help is wrapped to the terminal's width: pinned, so the goldens do not depend on the machine. */
function help(args: readonly string[]): string {
  const r = runCli([...args, '--help'], { env: { COLUMNS: '100' } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The commands the top-level help lists: a new command without a golden fails below. */
function commands(): string[] {
  const text = help([]);
  const section = text.slice(text.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('--help goldens', () => {
  const names = commands();

  it('when the top-level help lists the commands then init and completion are among them', () => {
    assert.ok(names.includes('init') && names.includes('completion') && names.includes('analyze'), names.join(' '));
  });

  it('when the program prints its help then it equals help-breachscope.txt', () => {
    assertGoldenText(path.join(DIR, 'help-breachscope.txt'), help([]));
  });

  for (const name of names) {
    it(`when ${name} prints its help then it equals help-${name}.txt and ends with two or three examples`, () => {
      const text = help([name]);
      assertGoldenText(path.join(DIR, `help-${name}.txt`), text);
      const examples = text.slice(text.lastIndexOf('\nExamples:\n'));
      assert.ok(text.includes('\nExamples:\n'), `${name} --help has no Examples section`);
      const count = examples.split('\n').filter((l) => l.startsWith('  $ ')).length;
      assert.ok(count >= 2 && count <= 3, `${name} --help has ${count} examples`);
      assert.ok(examples.split('\n').filter((l) => l.startsWith('  $ ')).every((l) => /^ {2}\$ (\S+=\S+ )?breachscope /.test(l)), 'every example runs breachscope');
    });
  }

  it('when a golden file names no command of the program then it is stale and fails', () => {
    const known = new Set(['breachscope', ...names]);
    const stale = readdirSync(DIR).filter((f) => f.startsWith('help-') && !known.has(f.slice(5, -4)));
    assert.deepEqual(stale, []);
  });
});
