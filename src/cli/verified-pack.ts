import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, type Manifest } from '../report/evidence-pack.js';
import type { PackSide } from '../report/pack-diff.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { verifyPack } from '../report/verify-pack.js';
import { EXIT, UserError } from '../util/user-error.js';

/**
 * A pack that `diff` or `report --previous` compares against: checked by verify first, and refused
 * as verify refuses it (exit 1, each problem named; exit 2 when the folder is no pack), so that
 * no follow-up is drawn from evidence changed since it was reported.
 */
export async function verifiedPack(dir: string, option: string): Promise<PackSide> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError({ what: `${option}: no evidence pack folder at ${terminalSafe(dir)}`, help: 'pass a folder written by breachscope report --out' });
  }
  const result = await verifyPack(dir);
  if (!result.pack) {
    throw new UserError({ what: `${option}: ${terminalSafe(dir)} is not an evidence pack: it has no manifest.json`, where: terminalSafe(path.resolve(dir)), help: 'pass a folder written by breachscope report --out' });
  }
  if (result.problems.length > 0) {
    for (const p of result.problems) process.stderr.write(`${p.kind.padEnd(9)} ${terminalSafe(p.file)}${p.detail === undefined ? '' : `  ${terminalSafe(p.detail)}`}\n`);
    throw new UserError(
      { what: `${option}: the evidence pack in ${terminalSafe(dir)} does not match its manifest (${result.problems.length} problem(s)); it is not compared`, why: 'a pack changed since it was reported cannot be the basis of a follow-up', help: `breachscope verify ${terminalSafe(dir)} names the same problems; compare against an intact copy` },
      EXIT.changed,
    );
  }
  const facts = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  return { label: dir, dir, facts };
}
