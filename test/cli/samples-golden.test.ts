// The text output and `--json` of both samples, compared exactly with
// test/cli/golden/analyze-<sample>.txt and .json. Any change to what a responder reads on the
// samples shows here as a diff. After an intended change, refresh them with:
//   npm run build && BREACHSCOPE_UPDATE_GOLDENS=1 node test/run.mjs test/cli/samples-golden
// and read the diff before committing it.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { assertGoldenText } from '../golden.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
/** hours_to_notify counts to the run's time: pinned, so the output does not depend on the day. */
const ENV = { SOURCE_DATE_EPOCH: '1430000000', COLUMNS: '100' };

/** A copy of the sample in a fresh folder: its store starts empty, and no path names the machine. */
function sampleCase(name: string): { dir: string; casePath: string } {
  const dir = path.join(tempDir(), name);
  cpSync(path.join(ROOT, 'sample-logs', name), dir, { recursive: true, filter: (src) => !src.includes('.breachscope') });
  return { dir, casePath: path.join(dir, 'case.yaml') };
}

describe('sample output goldens', () => {
  for (const name of ['ticketviewer', 'resident-portal']) {
    it(`when sample ${name} is analyzed then its text output and --json equal the goldens`, () => {
      const { dir, casePath } = sampleCase(name);
      const text = runCli(['analyze', casePath], { cwd: dir, env: ENV });
      assert.equal(text.code, 0, text.stderr);
      assertGoldenText(path.join(DIR, `analyze-${name}.txt`), text.stdout.replaceAll(dir, '<sample>'));
      const json = runCli(['analyze', casePath, '--json'], { cwd: dir, env: ENV });
      assert.equal(json.code, 0, json.stderr);
      assertGoldenText(path.join(DIR, `analyze-${name}.json`), json.stdout.replaceAll(dir, '<sample>'));
    });
  }
});
