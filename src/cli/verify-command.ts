import { verifyPack } from '../report/evidence-pack.js';
import { terminalSafe } from '../report/terminal-safe.js';
import { existsSync, statSync } from 'node:fs';
import { EXIT, UserError } from '../util/user-error.js';

export function verifyCommand(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError({ what: `no evidence pack folder at ${terminalSafe(dir)}`, help: 'pass the folder given to breachscope report --out' });
  }
  const result = verifyPack(dir);
  if (result.ok) {
    process.stdout.write(`intact: every file of ${terminalSafe(dir)} matches manifest.json\n`);
    return;
  }
  for (const p of result.problems) process.stdout.write(`${p.problem.padEnd(8)} ${terminalSafe(p.file)}\n`);
  process.stderr.write(`error: the evidence pack in ${terminalSafe(dir)} does not match its manifest (${result.problems.length} problem(s))\n`);
  process.exitCode = EXIT.changed;
}
