import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { blake2b } from '../../src/report/blake2b.js';
import { runCli, tempDir } from '../helpers.js';
import { copySample, report } from './pack-fixtures.js';

/** Debian's minisign (installed by .ci/run): the stock tool a regulator checks a pack with. */
const MINISIGN = ['/usr/bin/minisign', '/usr/local/bin/minisign'].find((f) => existsSync(f));
const noMinisign = MINISIGN ? false : 'minisign is not installed (Debian package minisign; .ci/run installs it)';

function minisign(args: string[], o: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(MINISIGN!, args, { cwd: o.cwd, input: o.input ?? '', encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function keygen(extra: string[] = ['--no-password'], env: NodeJS.ProcessEnv = {}): { key: string; pub: string } {
  const dir = path.join(tempDir(), 'keys');
  const r = runCli(['keygen', '--out', dir, ...extra], { env });
  assert.equal(r.code, 0, r.stderr);
  return { key: path.join(dir, 'breachscope.key'), pub: path.join(dir, 'breachscope.pub') };
}

function flipByte(file: string): void {
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(file, bytes);
}

describe('BLAKE2b', () => {
  test('when hashing then the digests are RFC 7693\'s (512-bit "abc") and libsodium\'s 256-bit ones', () => {
    assert.equal(blake2b(Buffer.from('abc')).toString('hex'), 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923');
    assert.equal(blake2b(Buffer.from('abc'), 32).toString('hex'), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    assert.equal(blake2b(Buffer.alloc(129, 0x61), 32).toString('hex'), '2f64744a6de0d2c0b56e64cf6e29a5aaa255010d415d51c75ccc82f73dccd865');
  });
});

describe('signed evidence pack', { skip: noMinisign }, () => {
  const keys = keygen();
  const c = copySample('ticketviewer');
  const pack = path.join(tempDir(), 'pack');
  report(c, pack, ['--sign', keys.key]);

  test('when keygen runs with --no-password then the key files are minisign\'s, the secret one readable by its owner only', () => {
    assert.match(readFileSync(keys.pub, 'utf8'), /^untrusted comment: minisign public key [0-9A-F]{16}\nRW[A-Za-z0-9+/]{54}\n$/);
    assert.match(readFileSync(keys.key, 'utf8'), /^untrusted comment: .*\nRWQAAEIy[A-Za-z0-9+/=]+\n$/);
    assert.equal(statSync(keys.key).mode & 0o077, 0);
  });

  test('when keygen would replace existing key files then it exits 2 and leaves them; --force replaces them', () => {
    const before = readFileSync(keys.key, 'utf8');
    const again = runCli(['keygen', '--out', path.dirname(keys.key), '--no-password']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exist[\s\S]*--force/);
    assert.equal(readFileSync(keys.key, 'utf8'), before);
    const dir = path.join(tempDir(), 'k');
    assert.equal(runCli(['keygen', '--out', dir, '--no-password']).code, 0);
    const first = readFileSync(path.join(dir, 'breachscope.pub'), 'utf8');
    assert.equal(runCli(['keygen', '--out', dir, '--no-password', '--force']).code, 0);
    assert.notEqual(readFileSync(path.join(dir, 'breachscope.pub'), 'utf8'), first);
    assert.equal(statSync(path.join(dir, 'breachscope.key')).mode & 0o077, 0);
  });

  test('when a pack is signed then stock minisign accepts it with a trusted comment naming the case and the manifest\'s SHA-256, and so does verify --pubkey', () => {
    const m = minisign(['-Vm', 'manifest.json', '-p', keys.pub], { cwd: pack });
    assert.equal(m.code, 0, m.out);
    const manifest = JSON.parse(readFileSync(path.join(pack, 'manifest.json'), 'utf8')) as { self_sha256: string };
    assert.ok(manifest.self_sha256);
    const sha = spawnSync('sha256sum', ['manifest.json'], { cwd: pack, encoding: 'utf8' }).stdout.split(' ')[0];
    assert.match(m.out, new RegExp(`Trusted comment: timestamp:1429531200\\tfile:manifest\\.json\\thashed\\tcase:"Ticketviewer exposure 2015"\\tmanifest_sha256:${sha}`));
    const v = runCli(['verify', pack, '--pubkey', keys.pub]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /signed: manifest\.json\.minisig is a valid signature by that key/);
  });

  test('when one byte of manifest.json changes then minisign and verify --pubkey both reject it', () => {
    const copy = path.join(tempDir(), 'pack');
    cpSync(pack, copy, { recursive: true });
    flipByte(path.join(copy, 'manifest.json'));
    assert.equal(minisign(['-Vm', 'manifest.json', '-p', keys.pub], { cwd: copy }).code, 1);
    const v = runCli(['verify', copy, '--pubkey', keys.pub]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^signature manifest\.json\.minisig  the signature does not match the file/m);
  });

  test('when an output changes and its hash in the manifest is rewritten then the signature rejects the manifest; left alone, verify names the output', () => {
    const copy = path.join(tempDir(), 'pack');
    cpSync(pack, copy, { recursive: true });
    flipByte(path.join(copy, 'evidence.csv'));
    // The signature still holds (the manifest is unchanged), and the manifest's hash catches the file.
    assert.equal(minisign(['-Vm', 'manifest.json', '-p', keys.pub], { cwd: copy }).code, 0);
    let v = runCli(['verify', copy, '--pubkey', keys.pub]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^changed +evidence\.csv$/m);
    // Whoever also rewrites the manifest to match cannot sign it.
    const manifestFile = path.join(copy, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as { outputs: { path: string; sha256: string; bytes: number }[]; self_sha256: string };
    const csv = readFileSync(path.join(copy, 'evidence.csv'));
    const h = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    m.outputs.find((o) => o.path === 'evidence.csv')!.sha256 = h(csv);
    const text = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
    const rewritten = { ...m, self_sha256: h(text({ ...m, self_sha256: '' })) };
    writeFileSync(manifestFile, text(rewritten));
    v = runCli(['verify', copy]);
    assert.doesNotMatch(v.stdout, /^changed/m, 'without --pubkey a consistent rewrite is not caught by the hashes');
    v = runCli(['verify', copy, '--pubkey', keys.pub]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^signature manifest\.json\.minisig/m);
    assert.equal(minisign(['-Vm', 'manifest.json', '-p', keys.pub], { cwd: copy }).code, 1);
  });

  test('when the signature is missing or made by another key then verify --pubkey exits 1 saying so; without --pubkey a signed pack is intact', () => {
    const copy = path.join(tempDir(), 'pack');
    cpSync(pack, copy, { recursive: true });
    const other = keygen();
    let v = runCli(['verify', copy, '--pubkey', other.pub]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^signature manifest\.json\.minisig  signed by key [0-9A-F]{16}, not by the public key given/m);
    assert.equal(runCli(['verify', copy]).code, 0);
    rmSync(path.join(copy, 'manifest.json.minisig'));
    v = runCli(['verify', copy, '--pubkey', keys.pub]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /^unsigned +manifest\.json\.minisig  missing/m);
  });

  test('when minisign -G -W makes the key and minisign -S signs the manifest then verify --pubkey accepts it', () => {
    const dir = tempDir();
    assert.equal(minisign(['-G', '-W', '-p', path.join(dir, 'm.pub'), '-s', path.join(dir, 'm.key')]).code, 0);
    const copy = path.join(tempDir(), 'pack');
    cpSync(pack, copy, { recursive: true });
    rmSync(path.join(copy, 'manifest.json.minisig'));
    const s = minisign(['-S', '-W', '-s', path.join(dir, 'm.key'), '-m', 'manifest.json'], { cwd: copy });
    assert.equal(s.code, 0, s.out);
    const v = runCli(['verify', copy, '--pubkey', path.join(dir, 'm.pub')]);
    assert.equal(v.code, 0, v.stdout);
    assert.equal(runCli(['verify', copy, '--pubkey', keys.pub]).code, 1, 'and not with another key');
  });

  test('when the public key file is not a key then verify exits 2 saying why', () => {
    const bad = path.join(tempDir(), 'x.pub');
    writeFileSync(bad, 'untrusted comment: x\nnot base64!\n');
    const v = runCli(['verify', pack, '--pubkey', bad]);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /--pubkey: .* is not a usable minisign key[\s\S]*why: +the public key \(line 2\) is not base64/);
  });

  test('when the case title holds quotes, a tab, a line end and an escape then the trusted comment stays one printable line minisign accepts', () => {
    const hostile = copySample('ticketviewer');
    writeFileSync(hostile, readFileSync(hostile, 'utf8').replace(/^case: .*$/m, 'case: "evil \\"t\\"\\t\\n\\u001b[2J\\u0085 ünï"'));
    const out = path.join(tempDir(), 'pack');
    report(hostile, out, ['--sign', keys.key]);
    const m = minisign(['-Vm', 'manifest.json', '-p', keys.pub], { cwd: out });
    assert.equal(m.code, 0, m.out);
    assert.match(m.out, /case:"evil \\"t\\"\\t\\n\\u001b\[2J\\x85 ünï"\t/);
  });
});

describe('encrypted secret key', { skip: noMinisign }, () => {
  test('when the key has a passphrase then report --sign needs it (wrong: exit 2) and stock minisign signs with the same key and passphrase', () => {
    const env = { BREACHSCOPE_KEY_PASSWORD: 'correct horse ünï' };
    const keys = keygen([], env);
    assert.match(readFileSync(keys.key, 'utf8'), /\nRWRTY0Iy/, 'scrypt-encrypted ("Ed" "Sc" "B2")');
    const c = copySample('ticketviewer');
    const wrong = runCli(['report', c, '--out', path.join(tempDir(), 'p'), '--sign', keys.key], { env: { BREACHSCOPE_KEY_PASSWORD: 'wrong' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--sign: wrong passphrase/);
    const none = runCli(['report', c, '--out', path.join(tempDir(), 'p'), '--sign', keys.key], { env: { BREACHSCOPE_KEY_PASSWORD: undefined } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs a passphrase, and there is no terminal to ask it on[\s\S]*BREACHSCOPE_KEY_PASSWORD/);
    const dir = tempDir();
    writeFileSync(path.join(dir, 'f'), 'signed by minisign with a breachscope key\n');
    const s = minisign(['-S', '-s', keys.key, '-m', 'f'], { cwd: dir, input: 'correct horse ünï\n' });
    assert.equal(s.code, 0, s.out);
    assert.equal(minisign(['-Vm', 'f', '-p', keys.pub], { cwd: dir }).code, 0);
  });
});
