import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scrypt, sign, verify, type KeyObject } from 'node:crypto';
import { blake2b } from './blake2b.js';

/**
 * minisign's key and signature files, byte for byte as minisign (src/minisign.h, minisign.c)
 * writes and reads them, so that anyone can check a breachscope signature with the stock tool:
 *
 * - public key: `untrusted comment: ...` then base64 of "Ed" || key id (8) || Ed25519 public key (32);
 * - secret key: `untrusted comment: ...` then base64 of "Ed" || kdf "Sc" (or two zero bytes:
 *   unencrypted) || "B2" || salt (32) || opslimit (u64 LE) || memlimit (u64 LE) || [key id (8) ||
 *   seed (32) || public key (32) || BLAKE2b-256 of "Ed" || key id || seed || public key], the part
 *   in brackets XORed with scrypt(passphrase, salt) when encrypted;
 * - signature: `untrusted comment: ...`, base64 of "ED" || key id || Ed25519 signature of the
 *   file's BLAKE2b-512, `trusted comment: ...`, base64 of the Ed25519 signature of that signature
 *   followed by the trusted comment's bytes (so the comment cannot be changed either).
 */

const SIGALG = Buffer.from('Ed');
const SIGALG_HASHED = Buffer.from('ED');
const KDF_SCRYPT = Buffer.from('Sc');
const KDF_NONE = Buffer.from([0, 0]);
const CHKALG = Buffer.from('B2');
const UNTRUSTED = 'untrusted comment: ';
const TRUSTED = 'trusted comment: ';
/** libsodium's crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE and MEMLIMIT_SENSITIVE, what minisign -G uses. */
const OPSLIMIT_SENSITIVE = 33554432n;
const MEMLIMIT_SENSITIVE = 1073741824n;
/** A key file asking for more memory than this is not one minisign or breachscope wrote. */
const MAX_SCRYPT_MEMORY = 2 * 1024 * 1024 * 1024;
const KEYNUM_SK_BYTES = 8 + 64 + 32;
const SECRET_KEY_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + KEYNUM_SK_BYTES;
const PUBLIC_KEY_BYTES = 2 + 8 + 32;
const SIGNATURE_BYTES = 2 + 8 + 64;
/** minisign reads a trusted comment into 8192 bytes with its prefix and line end. */
export const TRUSTED_COMMENT_MAX_BYTES = 8192 - TRUSTED.length - 2;

/** A key or signature file that is not what it says: the message says why. */
export class MinisignError extends Error {}

export interface PublicKey {
  readonly keyId: Buffer;
  readonly key: Buffer;
}

export interface SecretKey extends PublicKey {
  readonly privateKey: KeyObject;
}

/** The key id as minisign prints it: the 8 bytes read as a little-endian integer, in upper-case hex. */
export const keyIdText = (id: Buffer) => id.readBigUInt64LE().toString(16).toUpperCase().padStart(16, '0');

function fromJwk(seed: Buffer, pub: Buffer): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: pub.toString('base64url') }, format: 'jwk' });
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from((key.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
}

export function generateKey(): SecretKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { keyId: randomBytes(8), key: rawPublic(privateKey), privateKey };
}

/** Strict base64 (minisign's decoder refuses anything else), of exactly `bytes` bytes. */
function decodeBase64(text: string, bytes: number, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new MinisignError(`${what} is not base64`);
  const out = Buffer.from(text, 'base64');
  if (out.length !== bytes) throw new MinisignError(`${what} holds ${out.length} bytes, not ${bytes}`);
  return out;
}

/** The file's lines; line ends LF or CRLF, as minisign's trim() accepts. */
function linesOf(text: string, need: number, what: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length < need || lines.slice(0, need).some((l) => l.includes('\r'))) throw new MinisignError(`${what} must have ${need} lines`);
  if (!lines[0]!.startsWith(UNTRUSTED)) throw new MinisignError(`${what} must begin with "${UNTRUSTED.trim()}"`);
  return lines;
}

/** A comment line may hold no line end; the untrusted comment is shown, so it also holds no control character. */
const oneLine = (comment: string) => comment.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function publicKeyText(key: PublicKey): string {
  const body = Buffer.concat([SIGALG, key.keyId, key.key]).toString('base64');
  return `${UNTRUSTED}minisign public key ${keyIdText(key.keyId)}\n${body}\n`;
}

export function parsePublicKey(text: string): PublicKey {
  const lines = linesOf(text, 2, 'a minisign public key file');
  const raw = decodeBase64(lines[1]!.trim(), PUBLIC_KEY_BYTES, 'the public key (line 2)');
  if (!raw.subarray(0, 2).equals(SIGALG)) throw new MinisignError('the public key is not an Ed25519 minisign key');
  return { keyId: raw.subarray(2, 10), key: raw.subarray(10) };
}

function checksum(keyId: Buffer, sk: Buffer): Buffer {
  return blake2b(Buffer.concat([SIGALG, keyId, sk]), 32);
}

/** libsodium's pickparams: the scrypt N, r and p that an opslimit and a memlimit stand for. */
export function scryptParams(opslimit: bigint, memlimit: bigint): { N: number; r: number; p: number } {
  const ops = opslimit < 32768n ? 32768n : opslimit;
  const r = 8n;
  let nLog2 = 1n;
  let p: bigint;
  if (ops < memlimit / 32n) {
    p = 1n;
    const maxN = ops / (r * 4n);
    while (nLog2 < 63n && !(1n << nLog2 > maxN / 2n)) nLog2++;
  } else {
    const maxN = memlimit / (r * 128n);
    while (nLog2 < 63n && !(1n << nLog2 > maxN / 2n)) nLog2++;
    let maxrp = ops / 4n / (1n << nLog2);
    if (maxrp > 0x3fffffffn) maxrp = 0x3fffffffn;
    p = maxrp / r;
  }
  if (nLog2 > 40n) throw new MinisignError('the secret key asks for more scrypt memory than any machine has');
  return { N: 2 ** Number(nLog2), r: Number(r), p: Number(p) };
}

function keystream(password: string, salt: Buffer, opslimit: bigint, memlimit: bigint): Promise<Buffer> {
  const { N, r, p } = scryptParams(opslimit, memlimit);
  const memory = 128 * N * r;
  if (memory > MAX_SCRYPT_MEMORY || p < 1) return Promise.reject(new MinisignError('the secret key asks for scrypt parameters minisign never writes'));
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, KEYNUM_SK_BYTES, { N, r, p, maxmem: memory + 64 * 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key)));
  });
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** The secret key file; encrypted with the passphrase as minisign -G does, or unencrypted (minisign -W) without one. */
export async function secretKeyText(key: SecretKey, password: string | undefined): Promise<string> {
  const seed = Buffer.from((key.privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
  const sk = Buffer.concat([seed, key.key]);
  let keynum = Buffer.concat([key.keyId, sk, checksum(key.keyId, sk)]);
  const salt = password === undefined ? Buffer.alloc(32) : randomBytes(32);
  const limits = Buffer.alloc(16);
  if (password !== undefined) {
    limits.writeBigUInt64LE(OPSLIMIT_SENSITIVE, 0);
    limits.writeBigUInt64LE(MEMLIMIT_SENSITIVE, 8);
    keynum = xor(keynum, await keystream(password, salt, OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE));
  }
  const body = Buffer.concat([SIGALG, password === undefined ? KDF_NONE : KDF_SCRYPT, CHKALG, salt, limits, keynum]).toString('base64');
  return `${UNTRUSTED}${password === undefined ? 'minisign secret key (unencrypted), written by breachscope' : 'minisign encrypted secret key, written by breachscope'}\n${body}\n`;
}

interface RawSecretKey {
  readonly encrypted: boolean;
  readonly raw: Buffer;
}

function readSecretKey(text: string): RawSecretKey {
  const lines = linesOf(text, 2, 'a minisign secret key file');
  const raw = decodeBase64(lines[1]!.trim(), SECRET_KEY_BYTES, 'the secret key (line 2)');
  if (!raw.subarray(0, 2).equals(SIGALG)) throw new MinisignError('the secret key is not an Ed25519 minisign key');
  if (!raw.subarray(4, 6).equals(CHKALG)) throw new MinisignError('the secret key names a checksum other than BLAKE2b');
  const kdf = raw.subarray(2, 4);
  if (!kdf.equals(KDF_SCRYPT) && !kdf.equals(KDF_NONE)) throw new MinisignError('the secret key names a key derivation other than scrypt');
  return { encrypted: kdf.equals(KDF_SCRYPT), raw };
}

/** Whether the secret key file is protected by a passphrase (checks its format too). */
export function secretKeyIsEncrypted(text: string): boolean {
  return readSecretKey(text).encrypted;
}

/** Decrypts (when encrypted) and checks the secret key; a wrong passphrase fails its checksum. */
export async function parseSecretKey(text: string, password: string | undefined): Promise<SecretKey> {
  const { encrypted, raw } = readSecretKey(text);
  let keynum = raw.subarray(54);
  if (encrypted) {
    if (password === undefined) throw new MinisignError('the secret key is encrypted and no passphrase was given');
    keynum = xor(keynum, await keystream(password, raw.subarray(6, 38), raw.readBigUInt64LE(38), raw.readBigUInt64LE(46)));
  }
  const keyId = keynum.subarray(0, 8);
  const sk = keynum.subarray(8, 72);
  // minisign -W leaves the checksum of an unencrypted key zero (and never checks it); an encrypted key's proves the passphrase.
  const chk = keynum.subarray(72);
  if (encrypted && !chk.equals(checksum(keyId, sk))) throw new MinisignError('wrong passphrase for this secret key');
  if (!encrypted && !chk.equals(Buffer.alloc(32)) && !chk.equals(checksum(keyId, sk))) throw new MinisignError('the secret key\'s checksum does not match: the file is damaged');
  const privateKey = fromJwk(sk.subarray(0, 32), sk.subarray(32));
  const key = rawPublic(privateKey);
  if (!key.equals(sk.subarray(32))) throw new MinisignError('the secret key\'s public half does not belong to it: the file is damaged');
  return { keyId: Buffer.from(keyId), key, privateKey };
}

/** BLAKE2b-512 of the signed bytes: what an "ED" (prehashed) signature signs. */
export const prehash = (bytes: Buffer) => createHash('blake2b512').update(bytes).digest();

/** A minisign signature file (prehashed, "ED") of `bytes`. */
export function signatureText(key: SecretKey, bytes: Buffer, trustedComment: string, untrustedComment = 'signature from breachscope secret key'): string {
  if (/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(trustedComment)) throw new MinisignError('a trusted comment holds no control character but tab');
  if (Buffer.byteLength(trustedComment) > TRUSTED_COMMENT_MAX_BYTES) throw new MinisignError('the trusted comment is too long');
  const signature = sign(null, prehash(bytes), key.privateKey);
  const global = sign(null, Buffer.concat([signature, Buffer.from(trustedComment, 'utf8')]), key.privateKey);
  return `${UNTRUSTED}${oneLine(untrustedComment)}\n${Buffer.concat([SIGALG_HASHED, key.keyId, signature]).toString('base64')}\n${TRUSTED}${trustedComment}\n${global.toString('base64')}\n`;
}

export type SignatureCheck = { readonly ok: true; readonly trustedComment: string } | { readonly ok: false; readonly why: string };

/** Checks a signature file against the signed bytes and a public key, as `minisign -V` does. */
export function checkSignature(key: PublicKey, bytes: Buffer, text: string): SignatureCheck {
  let lines: string[];
  let raw: Buffer;
  let global: Buffer;
  try {
    lines = linesOf(text, 4, 'a minisign signature file');
    raw = decodeBase64(lines[1]!.trim(), SIGNATURE_BYTES, 'the signature (line 2)');
    if (!lines[2]!.startsWith(TRUSTED)) throw new MinisignError(`line 3 must begin with "${TRUSTED.trim()}"`);
    global = decodeBase64(lines[3]!.trim(), 64, 'the trusted comment\'s signature (line 4)');
  } catch (e) {
    if (e instanceof MinisignError) return { ok: false, why: e.message };
    throw e;
  }
  const trustedComment = lines[2]!.slice(TRUSTED.length);
  const alg = raw.subarray(0, 2);
  if (alg.equals(SIGALG)) return { ok: false, why: 'a legacy (not prehashed) signature; sign again with breachscope or minisign 0.8 or later' };
  if (!alg.equals(SIGALG_HASHED)) return { ok: false, why: 'not an Ed25519 minisign signature' };
  const keyId = raw.subarray(2, 10);
  if (!keyId.equals(key.keyId)) return { ok: false, why: `signed by key ${keyIdText(keyId)}, not by the public key given (${keyIdText(key.keyId)})` };
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.key.toString('base64url') }, format: 'jwk' });
  const signature = raw.subarray(10);
  if (!verify(null, prehash(bytes), publicKey, signature)) return { ok: false, why: 'the signature does not match the file: it changed after it was signed, or was signed by another key' };
  if (!verify(null, Buffer.concat([signature, Buffer.from(trustedComment, 'utf8')]), publicKey, global)) return { ok: false, why: 'the trusted comment was changed after signing' };
  return { ok: true, trustedComment };
}
