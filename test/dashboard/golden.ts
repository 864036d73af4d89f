// Frames compared with golden files in test/dashboard/frames/, ANSI stripped. After an intended
// change, refresh them with: BREACHSCOPE_UPDATE_GOLDENS=1 node test/run.mjs dashboard
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'frames');

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** A frame as a person reads it: colours and bold removed, trailing spaces kept off each line. */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(SGR, '').split('\n').map((l) => l.trimEnd()).join('\n');
}

export function assertGolden(name: string, frame: string | undefined): void {
  const file = path.join(DIR, `${name}.txt`);
  const text = `${plain(frame)}\n`;
  if (process.env.BREACHSCOPE_UPDATE_GOLDENS === '1' || !existsSync(file)) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, text);
    if (process.env.BREACHSCOPE_UPDATE_GOLDENS !== '1') assert.fail(`no golden frame ${name}.txt yet: written, check it and run again`);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `frame ${name} differs from ${path.relative(process.cwd(), file)}`);
}

/** Raw output holds no control character other than colour codes and line ends. */
export function assertNoRawControls(frame: string | undefined): void {
  // eslint-disable-next-line no-control-regex
  const leftover = (frame ?? '').replace(SGR, '').match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g);
  assert.equal(leftover, null, `raw control characters reached the frame: ${JSON.stringify(leftover)}`);
}
