import { verifyPack } from '../report/evidence-pack.js';
import { terminalSafe } from '../report/terminal-safe.js';
import { EXIT } from '../util/user-error.js';

export function verifyCommand(dir: string): void {
  const result = verifyPack(dir);
  if (result.ok) {
    process.stdout.write(`intact: every file of ${terminalSafe(dir)} matches manifest.json\n`);
    return;
  }
  for (const p of result.problems) process.stdout.write(`${p.problem.padEnd(8)} ${terminalSafe(p.file)}\n`);
  process.stderr.write(`error: the evidence pack in ${terminalSafe(dir)} does not match its manifest (${result.problems.length} problem(s))\n`);
  process.exitCode = EXIT.changed;
}
