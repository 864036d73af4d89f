import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalIp, inAny, parseCidr, resolveClient } from '../../src/case/ip.js';

const TRUSTED = [parseCidr('10.0.0.0/8'), parseCidr('2001:db8:ffff::/48')];

describe('canonicalIp', () => {
  test('when an IPv4 address carries a port or spaces then only the address is kept', () => {
    assert.equal(canonicalIp('203.0.113.7'), '203.0.113.7');
    assert.equal(canonicalIp(' 203.0.113.7 '), '203.0.113.7');
    assert.equal(canonicalIp('203.0.113.7:8080'), '203.0.113.7');
  });

  test('when an IPv6 address is bracketed, with or without a port, then brackets and port go', () => {
    assert.equal(canonicalIp('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(canonicalIp('[2001:DB8::1]'), '2001:db8::1');
  });

  test('when an IPv6 address is written long or in upper case then it is compressed lower case (RFC 5952)', () => {
    assert.equal(canonicalIp('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(canonicalIp('2001:db8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('2001:DB8::A'), '2001:db8::a');
    // Two equal runs of zeros: the first one is compressed.
    assert.equal(canonicalIp('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
  });

  test('when an IPv6 address has a zone id then the zone is dropped', () => {
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
    assert.equal(canonicalIp('[fe80::1%25eth0]:80'), 'fe80::1');
  });

  test('when an address is IPv4-mapped IPv6 in dotted form then it becomes the IPv4 address', () => {
    assert.equal(canonicalIp('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(canonicalIp('::FFFF:203.0.113.7'), '203.0.113.7');
    assert.equal(canonicalIp('0:0:0:0:0:ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(canonicalIp('[::ffff:203.0.113.7]:80'), '203.0.113.7');
  });

  test('when an address is IPv4-mapped IPv6 in hex form then it becomes the IPv4 address too', () => {
    // ::ffff:cb00:7107 is the same address as ::ffff:203.0.113.7.
    assert.equal(canonicalIp('::ffff:cb00:7107'), '203.0.113.7');
    assert.equal(canonicalIp('[0:0:0:0:0:ffff:cb00:7107]:443'), '203.0.113.7');
  });

  test('when an IPv6 address that is not IPv4-mapped ends in a dotted quad then it stays IPv6', () => {
    // Only ::ffff:0:0/96 is IPv4-mapped; 2001:db8::203.0.113.7 is an IPv6 host of 2001:db8::/32.
    assert.equal(canonicalIp('2001:db8::203.0.113.7'), '2001:db8::cb00:7107');
    assert.equal(canonicalIp('64:ff9b::203.0.113.7'), '64:ff9b::cb00:7107');
  });

  test('when the text is not an IP address then there is no canonical form', () => {
    for (const v of ['unknown', 'proxy.example.org', '-', '', '   ', '999.1.1.1', '1.2.3', '10.0.0.0/8', '2001:db8::/32', 'garbage:::', null, undefined]) {
      assert.equal(canonicalIp(v), undefined, JSON.stringify(v));
    }
  });
});

describe('parseCidr', () => {
  test('when a CIDR is IPv4 then it contains exactly its addresses', () => {
    const c = parseCidr('192.0.2.0/24');
    assert.equal(c.text, '192.0.2.0/24');
    assert.equal(c.contains('192.0.2.0'), true);
    assert.equal(c.contains('192.0.2.255'), true);
    assert.equal(c.contains('192.0.3.0'), false);
    assert.equal(c.contains('2001:db8::1'), false);
  });

  test('when a single address is given then it is a /32 or /128', () => {
    const v4 = parseCidr('192.0.2.10');
    assert.equal(v4.contains('192.0.2.10'), true);
    assert.equal(v4.contains('192.0.2.11'), false);
    const v6 = parseCidr('2001:db8::1');
    assert.equal(v6.contains('2001:db8::1'), true);
    assert.equal(v6.contains('2001:db8::2'), false);
  });

  test('when a CIDR is IPv6 then it contains the canonical IPv6 addresses inside it and no IPv4', () => {
    const c = parseCidr('2001:db8::/32');
    assert.equal(c.contains('2001:db8:1234::5'), true);
    assert.equal(c.contains('2001:db9::1'), false);
    assert.equal(c.contains('192.0.2.1'), false);
  });

  test('when a CIDR is written IPv4-mapped then it contains the canonical (IPv4) addresses', () => {
    const c = parseCidr('::ffff:203.0.113.0/120');
    assert.equal(c.contains('203.0.113.7'), true);
    assert.equal(c.contains('203.0.114.7'), false);
  });

  test('when a CIDR is invalid then it throws with an example of a valid one', () => {
    assert.throws(() => parseCidr('10.0.0.0/33'), /'10\.0\.0\.0\/33' is not an IPv4 CIDR such as 10\.0\.0\.0\/24/);
    assert.throws(() => parseCidr('office'), /'office' is not an IPv4 CIDR/);
    assert.throws(() => parseCidr('2001:db8::/129'), /is not an IPv6 CIDR such as 2001:db8::\/32/);
    assert.throws(() => parseCidr(''), /is not an IPv4 CIDR/);
  });

  test('when a client is written as a block (not an address) then no CIDR contains it', () => {
    // A forwarded-for entry `10.0.0.1/32` is no address: the walk keeps it as written, and it is
    // in no authorized network.
    assert.equal(resolveClient('10.0.0.1', '10.0.0.7/32', TRUSTED).ip, '10.0.0.7/32');
    assert.equal(inAny('10.0.0.7/32', [parseCidr('10.0.0.0/8')]), undefined);
    assert.equal(inAny('2001:db8::1/64', [parseCidr('2001:db8::/32')]), undefined);
  });

  test('when a CIDR is parsed then its ranges are the first and last address numbers of each family', () => {
    assert.deepEqual([parseCidr('10.0.0.5/8').v4, parseCidr('10.0.0.5/8').v6], [[0x0a000000n, 0x0affffffn], undefined]);
    assert.deepEqual(parseCidr('2001:db8::/32').v6, [0x20010db8n << 96n, (0x20010db9n << 96n) - 1n]);
    assert.equal(parseCidr('2001:db8::/32').v4, undefined);
    // IPv4-mapped from /96 on holds IPv4 addresses; a shorter block holds none (contains agrees).
    assert.deepEqual(parseCidr('::ffff:203.0.113.0/120').v4, [0xcb007100n, 0xcb0071ffn]);
    assert.equal(parseCidr('::/0').v4, undefined);
    assert.equal(parseCidr('::/0').contains('203.0.113.7'), false);
  });

  test('when an address is in one of several CIDRs then inAny returns that CIDR', () => {
    const list = [parseCidr('10.0.0.0/8'), parseCidr('192.0.2.0/24')];
    assert.equal(inAny('192.0.2.7', list)?.text, '192.0.2.0/24');
    assert.equal(inAny('198.51.100.1', list), undefined);
    assert.equal(inAny(undefined, list), undefined);
  });
});

describe('resolveClient', () => {
  test('when the left-most forwarded-for entry is spoofed then the right-most untrusted entry is the client', () => {
    assert.deepEqual(resolveClient('10.0.0.1', '192.0.2.50, 198.51.100.9, 10.0.0.2', TRUSTED), { ip: '198.51.100.9', raw: '198.51.100.9' });
  });

  test('when the socket is not a trusted proxy then it is the client whatever the forwarded-for says', () => {
    assert.equal(resolveClient('198.51.100.20', '192.0.2.10', TRUSTED).ip, '198.51.100.20');
  });

  test('when there is no forwarded-for then the socket is the client, even a trusted one', () => {
    assert.equal(resolveClient('203.0.113.7', null, TRUSTED).ip, '203.0.113.7');
    assert.equal(resolveClient('10.0.0.1', '-', TRUSTED).ip, '10.0.0.1');
  });

  test('when every hop is trusted then the left-most is the client, canonical', () => {
    assert.deepEqual(resolveClient('10.0.0.1', '10.0.0.3:5555, 10.0.0.2', TRUSTED), { ip: '10.0.0.3', raw: '10.0.0.3:5555' });
  });

  test('when hops carry ports, brackets or mapped forms then trust is decided on the canonical address', () => {
    assert.equal(resolveClient('[2001:db8:ffff::5]:443', '[2001:DB8::9]:1234', TRUSTED).ip, '2001:db8::9');
    assert.equal(resolveClient('::ffff:10.0.0.1', '198.51.100.3', TRUSTED).ip, '198.51.100.3');
    assert.equal(resolveClient('10.0.0.1:80', '198.51.100.3,10.0.0.2:8080', TRUSTED).ip, '198.51.100.3');
  });

  test('when a hop is a hostname then the walk stops there and the hostname is the client', () => {
    assert.deepEqual(resolveClient('10.0.0.1', '198.51.100.1, proxy.example.org', TRUSTED), { ip: 'proxy.example.org', raw: 'proxy.example.org' });
    assert.equal(resolveClient('10.0.0.1', 'unknown', TRUSTED).ip, 'unknown');
  });

  test('when the forwarded-for list has empty entries and dashes then they are skipped', () => {
    assert.equal(resolveClient('10.0.0.1', ' , 198.51.100.4 ,, -', TRUSTED).ip, '198.51.100.4');
  });

  test('when there is no address at all then there is no client', () => {
    assert.deepEqual(resolveClient(null, null, TRUSTED), { ip: undefined, raw: undefined });
    assert.deepEqual(resolveClient('-', '', TRUSTED), { ip: undefined, raw: undefined });
  });
});
