import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey, keyIdText, publicKeyText, secretKeyText } from '../report/minisign.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { UserError } from '../util/user-error.js';
import { readPassphrase } from './passphrase.js';

export const SECRET_KEY_FILE = 'breachscope.key';
export const PUBLIC_KEY_FILE = 'breachscope.pub';

/** Writes an Ed25519 key pair in minisign's format: DIR/breachscope.key (owner-only) and DIR/breachscope.pub. */
export async function keygenCommand(o: { out: string; password: boolean; force?: boolean }): Promise<void> {
  const dir = path.resolve(o.out);
  const secret = path.join(dir, SECRET_KEY_FILE);
  const pub = path.join(dir, PUBLIC_KEY_FILE);
  const existing = [secret, pub].filter((f) => existsSync(f));
  if (existing.length > 0 && !o.force) {
    throw new UserError({ what: `${existing.map((f) => terminalSafe(f)).join(' and ')} already exist${existing.length === 1 ? 's' : ''}`, why: 'a new key pair would replace a key that packs may already be signed with', help: 'choose another --out folder, or pass --force to replace them' });
  }
  const password = o.password ? await readPassphrase('the new secret key', { confirm: true }) : undefined;
  const key = generateKey();
  const secretText = await secretKeyText(key, password);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Removed first: writeFileSync's mode applies only to a new file, and a replaced key must be owner-only too.
  rmSync(secret, { force: true });
  writeFileSync(secret, secretText, { mode: 0o600 });
  writeFileSync(pub, publicKeyText(key));
  process.stdout.write(`Key ${keyIdText(key.keyId)}${password === undefined ? ' (secret key not encrypted)' : ''}:\n`);
  process.stdout.write(`  secret key  ${terminalSafe(secret)}  keep it private; sign with: breachscope report <case> --out <dir> --sign ${terminalSafe(secret)}\n`);
  process.stdout.write(`  public key  ${terminalSafe(pub)}  give it to whoever checks a pack: minisign -Vm manifest.json -p ${PUBLIC_KEY_FILE}\n`);
}
