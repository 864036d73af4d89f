import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { terminalSafe } from '../util/terminal-safe.js';
import { verifyPack } from '../report/verify-pack.js';
import { EXIT, UserError } from '../util/user-error.js';
import { loadPublicKey } from './signing-keys.js';

export async function verifyCommand(dir: string, o: { case?: string; pubkey?: string }): Promise<void> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError({ what: `no evidence pack folder at ${terminalSafe(dir)}`, help: 'pass the folder given to breachscope report --out' });
  }
  if (o.case !== undefined && !(existsSync(o.case) && statSync(o.case).isFile())) {
    throw new UserError({ what: `--case: no case file at ${terminalSafe(o.case)}`, help: 'pass the case file the pack was reported from: the inputs in its manifest are relative to its folder' });
  }
  const publicKey = o.pubkey === undefined ? undefined : loadPublicKey(o.pubkey);
  const result = await verifyPack(dir, { caseDir: o.case === undefined ? undefined : path.dirname(path.resolve(o.case)), publicKey });
  if (!result.pack) {
    throw new UserError({
      what: `${terminalSafe(dir)} is not an evidence pack: it has no manifest.json`,
      where: terminalSafe(path.resolve(dir)),
      help: 'pass the folder given to breachscope report --out (it holds manifest.json and the files it hashes)',
    });
  }
  if (result.problems.length === 0) {
    process.stdout.write(`intact: every file of ${terminalSafe(dir)} matches manifest.json and its figures${o.case === undefined ? '' : ', and every input of the case is unchanged'}\n`);
    if (result.signature === 'not checked') process.stdout.write('signed: manifest.json.minisig is there but was not checked; pass --pubkey with the signer\'s public key\n');
    else if (result.signature !== undefined) process.stdout.write(`signed: manifest.json.minisig is a valid signature by that key; trusted comment: ${terminalSafe(result.signature.trustedComment.replaceAll('\t', '  '))}\n`);
    return;
  }
  for (const p of result.problems) process.stdout.write(`${p.kind.padEnd(9)} ${terminalSafe(p.file)}${p.detail === undefined ? '' : `  ${terminalSafe(p.detail)}`}\n`);
  process.stderr.write(`error: the evidence pack in ${terminalSafe(dir)} does not match its manifest (${result.problems.length} problem(s))\n`);
  process.exitCode = EXIT.changed;
}
