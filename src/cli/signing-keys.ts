import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MinisignError, parsePublicKey, parseSecretKey, secretKeyIsEncrypted, type PublicKey, type SecretKey } from '../report/minisign.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { EXIT, UserError } from '../util/user-error.js';
import { readPassphrase } from './passphrase.js';

/** A key file is two short lines; anything larger is not one (and is not read whole). */
const MAX_KEY_BYTES = 64 * 1024;

function readKeyFile(file: string, option: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError({ what: `${option}: cannot read ${terminalSafe(file)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, help: 'give the path of a key file written by breachscope keygen or minisign -G' });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_KEY_BYTES) throw new UserError({ what: `${option}: ${terminalSafe(file)} is not a key file`, why: stat.isFile() ? `${stat.size} bytes` : 'not a regular file', help: 'give the path of a key file written by breachscope keygen or minisign -G' });
    const buffer = Buffer.alloc(stat.size);
    let at = 0;
    while (at < buffer.length) {
      const n = readSync(fd, buffer, at, buffer.length - at, null);
      if (n === 0) break;
      at += n;
    }
    return buffer.subarray(0, at).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function badKey(file: string, option: string, e: unknown): never {
  if (!(e instanceof MinisignError)) throw e;
  throw new UserError({ what: `${option}: ${terminalSafe(file)} is not a usable minisign key`, where: terminalSafe(file), why: e.message, help: option === '--pubkey' ? 'give the .pub file written by breachscope keygen or minisign -G' : 'give the secret .key file written by breachscope keygen or minisign -G' });
}

/** The secret key of `report --sign`, decrypted with the passphrase (BREACHSCOPE_KEY_PASSWORD or a prompt). */
export async function loadSecretKey(file: string): Promise<SecretKey> {
  const text = readKeyFile(file, '--sign');
  let encrypted: boolean;
  try {
    encrypted = secretKeyIsEncrypted(text);
  } catch (e) {
    badKey(file, '--sign', e);
  }
  const password = encrypted ? await readPassphrase(`the secret key ${terminalSafe(file)}`) : undefined;
  try {
    return await parseSecretKey(text, password);
  } catch (e) {
    if (e instanceof MinisignError && /passphrase/.test(e.message)) {
      throw new UserError({ what: `--sign: wrong passphrase for ${terminalSafe(file)}`, help: 'type the passphrase given to breachscope keygen (or set BREACHSCOPE_KEY_PASSWORD to it)' });
    }
    if (e instanceof Error && !(e instanceof MinisignError) && /memory/i.test(e.message)) {
      throw new UserError({ what: `--sign: not enough memory to decrypt ${terminalSafe(file)}`, why: e.message, help: 'scrypt needs about 1 GiB for a minisign key; run where that is free' }, EXIT.runtime);
    }
    badKey(file, '--sign', e);
  }
}

export function loadPublicKey(file: string): PublicKey {
  const text = readKeyFile(file, '--pubkey');
  try {
    return parsePublicKey(text);
  } catch (e) {
    badKey(file, '--pubkey', e);
  }
}
