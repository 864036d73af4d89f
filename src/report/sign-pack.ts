import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { terminalSafe } from '../util/terminal-safe.js';
import { MANIFEST, SIGNATURE, sha256 } from './evidence-pack.js';
import { checkSignature, keyIdText, signatureText, type PublicKey, type SecretKey } from './minisign.js';

/**
 * The pack's signature: manifest.json signed in minisign's format, so that anyone holding the
 * public key can check with the stock tool (`minisign -Vm manifest.json -p breachscope.pub`)
 * that the manifest, and through its hashes every file of the pack, is what the key holder wrote.
 * manifest.json.minisig is the one file of a pack the manifest does not list: it is made from it.
 */

export { SIGNATURE };

/** Case titles are free text: quoted as JSON, with what a terminal or minisign would refuse shown escaped. */
const quoted = (text: string) => terminalSafe(JSON.stringify(text.length > 500 ? `${text.slice(0, 500)}…` : text));

/**
 * minisign's own fields first (`timestamp:`, `file:`, `hashed`), then what a regulator reads: the
 * case and the manifest's SHA-256. `minisign -V` prints it after checking it is signed too.
 */
export function trustedComment(o: { readonly caseTitle: string; readonly manifestSha256: string; readonly at: Date }): string {
  return [`timestamp:${Math.floor(o.at.getTime() / 1000)}`, `file:${MANIFEST}`, 'hashed', `case:${quoted(o.caseTitle)}`, `manifest_sha256:${o.manifestSha256}`].join('\t');
}

/** Writes manifest.json.minisig beside the manifest; returns the trusted comment. */
export function signPack(dir: string, key: SecretKey, o: { readonly caseTitle: string; readonly at: Date }): string {
  const manifest = readFileSync(path.join(dir, MANIFEST));
  const comment = trustedComment({ caseTitle: o.caseTitle, manifestSha256: sha256(manifest), at: o.at });
  writeFileSync(path.join(dir, SIGNATURE), signatureText(key, manifest, comment, `signature from breachscope secret key ${keyIdText(key.keyId)}`));
  return comment;
}

export type SignatureVerdict = { readonly ok: true; readonly trustedComment: string } | { readonly ok: false; readonly why: string };

/** The signature of the manifest's bytes; the trusted comment must also name their SHA-256. */
export function checkPackSignature(key: PublicKey, manifest: Buffer, signature: string): SignatureVerdict {
  const check = checkSignature(key, manifest, signature);
  if (!check.ok) return check;
  const named = /(?:^|\t)manifest_sha256:([0-9a-f]{64})(?:\t|$)/.exec(check.trustedComment)?.[1];
  if (named !== undefined && named !== sha256(manifest)) return { ok: false, why: `the signed comment names manifest SHA-256 ${named}, not this manifest's` };
  return check;
}
