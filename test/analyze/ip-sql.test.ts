import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Address4, Address6 } from 'ip-address';
import { Store } from '../../src/db/store.js';
import { canonicalIp, inAny, parseCidr, resolveClient, type Cidr } from '../../src/case/ip.js';
import { buildClientMap, inNetworkSql, NETWORKS_SQL, networkParams, parsedIpSql } from '../../src/analyze/ip-sql.js';

/*
 * The SQL client map (ip-sql.ts) against the JavaScript reference (ip.ts, on the ip-address
 * package): canonical forms, CIDR membership and the forwarded-for walk agree on random and
 * edge-case input. Fixed seed so a failure reproduces; each run is one SQL query over a batch. No
 * shrinking (a batch re-run per shrink step takes minutes): the assertion names the failing value.
 */

const SEED = 20261122;
let store: Store;
before(async () => {
  store = await Store.memory();
});
after(() => store.close());

/** Rows of text (or null) to SQL without a parameter per value: one JSON document. */
function rowsSql(columns: readonly string[]): string {
  const shape = JSON.stringify([Object.fromEntries(columns.map((c) => [c, 'VARCHAR']))]);
  return `(SELECT unnest(from_json($rows, '${shape}'), recursive := true))`;
}

// ---- generators ----------------------------------------------------------------------------

const hex = (n: number) => n.toString(16);
const octet = fc.oneof(fc.nat(255), fc.constantFrom(0, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255));
/** An octet as text: mostly right, sometimes out of range or with a leading zero. */
const octetText = fc.oneof({ weight: 12, arbitrary: octet.map(String) }, fc.constantFrom('256', '300', '999', '01', '00', '010', '0255', '1000', ''));
const ipv4 = fc.tuple(octetText, octetText, octetText, octetText).map((o) => o.join('.'));
const validV4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));

/** Eight groups, zeros frequent so that runs of zeros (and ties between them) come up. */
const groups = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(1, 0xffff, 0xff)), { minLength: 8, maxLength: 8 });

/** The groups written some way ip-address accepts (or nearly): compressed anywhere, padded, upper case, dotted tail. */
const ipv6Text = fc
  .record({
    g: groups,
    mapped: fc.constantFrom('no', 'no', 'no', 'mapped', 'compat'),
    pad: fc.boolean(),
    upper: fc.boolean(),
    dotted: fc.boolean(),
    cut: fc.tuple(fc.nat(8), fc.nat(8)),
  })
  .map(({ g, mapped, pad, upper, dotted, cut }) => {
    const h = mapped === 'mapped' ? [0, 0, 0, 0, 0, 0xffff, g[6]!, g[7]!] : mapped === 'compat' ? [0, 0, 0, 0, 0, 0, g[6]!, g[7]!] : g;
    let parts = h.map((x) => (pad ? x.toString(16).padStart(4, '0') : hex(x)));
    if (dotted) parts = [...parts.slice(0, 6), `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`];
    // `::` in place of any span of groups (zero or not: a wrong one makes an invalid address).
    const [a, b] = [Math.min(...cut), Math.max(...cut)];
    const text = b > a ? `${parts.slice(0, a).join(':')}::${parts.slice(b).join(':')}` : parts.join(':');
    return upper ? text.toUpperCase() : text;
  });

const EDGE = [
  '::', '::1', '::0', '0::0', '::0.0.0.0', '::ffff:0.0.0.0', '::ffff:0:0', '::ffff:1.2.3.4', '::FFFF:1.2.3.4', '::ffff:0102:0304',
  '0:0:0:0:0:ffff:1.2.3.4', '::ffff:01.2.3.4', '::ffff:1.2.3', '::ffff:1.2.3.4:80', '1:2:3:4:5:6:7::8', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7::',
  '1::2:3:4:5:6:7', '1:0:0:1:0:0:0:1', '1:0:0:0:1:0:0:0', '2001:db8:0:0:1:0:0:1', '2001:db8::203.0.113.7', '64:ff9b::1.2.3.4',
  'fe80::1%eth0', '[fe80::1%25eth0]:80', 'fe80::1%eth0/64', '%::1', '::1%', '1.2.3.4%eth0', '[1.2.3.4]:80', '[1.2.3.4]', '[::1]', '[::1]:',
  '[::1]:x', '[]', '[[::1]]', '10.0.0.0/8', '2001:db8::/32', '1.2.3.4/32', '1.2.3.4:80', '01.2.3.4:80', '1.2.3.4:', '1.2.3.4::',
  '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::1', ':::1', '1:::2', ':1::2', '1::2:', ':', '-', '', ' ', 'unknown', 'proxy.example.org',
  'unix:', 'unix:/run/app.sock', 'localhost', 'garbage:::', '1.2.3.4 ', '\t1.2.3.4\u00a0', '\u20281.2.3.4\ufeff', '1.2.3.4\n', ' [::1]',
  '::1 ', ':: 1', '1.2.3.4.5', '1.2.3.04', '255.255.255.255', '0.0.0.0', '256.0.0.0', '::g', 'ffff::ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  '0000:0000:0000:0000:0000:0000:0000:0000', '00000::1', 'é::1', '1.2.3.٤', '[fe80::1%eth0]', 'fe80::1%', '::ffff:1.2.3.4%x',
];

/** What a client can write where an address goes: addresses, decorated ones, near misses and junk. */
const raw = fc.oneof(
  { weight: 4, arbitrary: ipv4 },
  { weight: 5, arbitrary: ipv6Text },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.oneof(validV4, ipv6Text), fc.constantFrom('port', 'bracket', 'bracket-port', 'zone', 'spaces', 'plain'), fc.integer({ min: 0, max: 70000 }))
      .map(([a, how, n]) => {
        if (how === 'port') return `${a}:${n}`;
        if (how === 'bracket') return `[${a}]`;
        if (how === 'bracket-port') return `[${a}]:${n}`;
        if (how === 'zone') return `${a}%eth${n % 3}`;
        if (how === 'spaces') return ` \t${a} `;
        return a;
      }),
  },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('0', '1', 'a', 'F', 'g', ':', '.', '%', '[', ']', '/', ' ', '-', 'é'), maxLength: 14 }) },
  // One character changed in an address.
  { weight: 2, arbitrary: fc.tuple(fc.oneof(validV4, ipv6Text), fc.nat(), fc.constantFrom('', ':', '.', '0', 'f', 'x', '::')).map(([a, i, c]) => a.slice(0, i % (a.length + 1)) + c + a.slice((i % (a.length + 1)) + 1)) },
);

/** CIDRs around generated addresses (so that many addresses fall inside), kept when parseCidr takes them. */
const cidr = fc
  .oneof(
    fc.tuple(validV4, fc.integer({ min: 0, max: 32 })).map(([a, m]) => `${a}/${m}`),
    fc.tuple(validV4, fc.integer({ min: 0, max: 32 })).map(([a, m]) => `::ffff:${a}/${96 + m}`),
    fc.tuple(ipv6Text, fc.integer({ min: 0, max: 128 })).map(([a, m]) => `${a}/${m}`),
    fc.constantFrom('0.0.0.0/0', '::/0', '::/95', '::/96', '::ffff:0:0/96', '::ffff:0:0/95', '10.0.0.0/8', '10.0.0.1', '::1', '2001:db8::/32', '::ffff:10.0.0.0/104'),
  )
  .map((text) => {
    try {
      return parseCidr(text);
    } catch {
      return undefined;
    }
  })
  .filter((c): c is Cidr => c !== undefined);

// ---- SQL under test ------------------------------------------------------------------------

async function sqlCanonical(values: readonly string[]): Promise<{ raw: string; ip: string | null; v4: string | null; v6: string | null }[]> {
  return store.all(`SELECT raw, ip, v4::VARCHAR AS v4, v6::VARCHAR AS v6 FROM (${parsedIpSql(rowsSql(['raw', 'k']))}) ORDER BY k`, {
    rows: JSON.stringify(values.map((v, k) => ({ raw: v, k: String(k).padStart(6, '0') }))),
  }) as never;
}

async function loadNetworks(trusted: readonly Cidr[], authorized: readonly Cidr[]): Promise<void> {
  await store.run(NETWORKS_SQL, networkParams({ trusted, authorized }));
}

describe('canonical client IP in SQL', () => {
  test('when the examples of ip.test.ts are parsed in SQL then they give the same canonical forms', async () => {
    const rows = await sqlCanonical(['203.0.113.7:8080', '[2001:DB8::1]', '2001:0db8:0000:0000:0001:0000:0000:0001', '[fe80::1%25eth0]:80', '::ffff:cb00:7107', '64:ff9b::203.0.113.7', '999.1.1.1', 'proxy.example.org']);
    assert.deepEqual(
      rows.map((r) => r.ip),
      ['203.0.113.7', '2001:db8::1', '2001:db8::1:0:0:1', 'fe80::1', '203.0.113.7', '64:ff9b::cb00:7107', null, null],
    );
    assert.deepEqual([rows[0]!.v4, rows[1]!.v6], ['3405803783', String(0x20010db8n << 96n | 1n)]);
  });

  test('when random and edge-case addresses are parsed in SQL then ip, v4 and v6 equal canonicalIp and ip-address', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(raw, { minLength: 200, maxLength: 400 }), async (values) => {
        const rows = await sqlCanonical(values);
        assert.equal(rows.length, values.length);
        for (const [i, r] of rows.entries()) {
          const js = canonicalIp(values[i]) ?? null;
          assert.equal(r.ip, js, JSON.stringify(values[i]));
          const v4 = js !== null && Address4.isValid(js) ? new Address4(js).bigInt().toString() : null;
          const v6 = js !== null && v4 === null ? new Address6(js).bigInt().toString() : null;
          assert.deepEqual([r.v4, r.v6], [v4, v6], JSON.stringify(values[i]));
        }
        cases += values.length;
      }),
      { seed: SEED, numRuns: 20, endOnFailure: true },
    );
    assert.ok(cases >= 4000, `${cases} cases`);
    // Every edge case was among them at least once in its own run.
    const edge = await sqlCanonical(EDGE);
    for (const [i, r] of edge.entries()) assert.equal(r.ip, canonicalIp(EDGE[i]) ?? null, JSON.stringify(EDGE[i]));
  });
});

describe('CIDR membership in SQL', () => {
  test('when random addresses meet random CIDR lists then the first network that contains each is the one inAny finds', async () => {
    let cases = 0;
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cidr, { minLength: 1, maxLength: 6 }), fc.array(raw, { minLength: 200, maxLength: 300 }), async (cidrs, values) => {
        await loadNetworks([], cidrs);
        const rows = await store.all<{ network: string | null }>(
          `SELECT (SELECT arg_min(n.text, n.pos) FROM ip_networks n WHERE n.kind = 'authorized' AND ${inNetworkSql('a', 'n')}) AS network
           FROM (${parsedIpSql(rowsSql(['raw', 'k']))}) a ORDER BY k`,
          { rows: JSON.stringify(values.map((v, k) => ({ raw: v, k: String(k).padStart(6, '0') }))) },
        );
        for (const [i, r] of rows.entries()) {
          const ip = canonicalIp(values[i]);
          const js = inAny(ip ?? values[i], cidrs)?.text ?? null;
          assert.equal(r.network, js, `${JSON.stringify(values[i])} in ${cidrs.map((c) => c.text).join(' ')}`);
          if (js !== null) hits++;
        }
        cases += values.length;
      }),
      { seed: SEED, numRuns: 20, endOnFailure: true },
    );
    assert.ok(cases >= 4000 && hits >= 200, `${cases} cases, ${hits} inside a network`);
  });
});

describe('forwarded-for walk in SQL', () => {
  const entry = fc.oneof({ weight: 6, arbitrary: raw }, fc.constantFrom('', ' ', '-', 'unknown', ' - '));
  const xff = fc.oneof(
    fc.constant(null),
    fc.tuple(fc.array(entry, { maxLength: 5 }), fc.constantFrom(',', ', ', ' ,', ' , ')).map(([e, sep]) => e.join(sep)),
  );
  const socket = fc.oneof({ weight: 6, arbitrary: raw }, fc.constantFrom(null, '', '-'));
  /** Trusted proxies must often match for the walk to go past the socket: CIDRs of the chain's own addresses too. */
  const trustedOf = (pairs: readonly { socket: string | null; xff: string | null }[], pick: readonly number[], extra: readonly Cidr[]) => {
    const addresses = pairs.flatMap((p) => [...(p.xff ?? '').split(','), p.socket ?? '']).map((e) => canonicalIp(e)).filter((a): a is string => a !== undefined);
    const chosen = pick.map((i) => addresses[i % Math.max(addresses.length, 1)]).filter((a): a is string => a !== undefined);
    return [...chosen.map((a) => parseCidr(a)), ...extra];
  };

  test('when random chains are walked in SQL then client and network equal resolveClient and inAny', async () => {
    let cases = 0;
    let walkedPast = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ socket, xff }), { minLength: 200, maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(cidr, { maxLength: 3 }),
        fc.array(cidr, { maxLength: 4 }),
        async (pairs, pick, extraTrusted, authorized) => {
          const trusted = trustedOf(pairs, pick, extraTrusted);
          await loadNetworks(trusted, authorized);
          await buildClientMap(store, `SELECT socket, xff FROM ${rowsSql(['socket', 'xff'])}`, { rows: JSON.stringify(pairs) });
          const rows = await store.all<{ socket: string | null; xff: string | null; client: string | null; network: string | null }>('SELECT * FROM client_map');
          const key = (s: string | null, x: string | null) => JSON.stringify([s, x]);
          const sql = new Map(rows.map((r) => [key(r.socket, r.xff), r]));
          assert.equal(rows.length, new Set(pairs.map((p) => key(p.socket, p.xff))).size);
          for (const p of pairs) {
            const { ip } = resolveClient(p.socket, p.xff, trusted);
            const r = sql.get(key(p.socket, p.xff));
            const what = `${key(p.socket, p.xff)} trusted ${trusted.map((c) => c.text).join(' ')}`;
            assert.equal(r?.client, ip ?? null, what);
            assert.equal(r?.network, inAny(ip, authorized)?.text ?? null, what);
            if (ip !== undefined && canonicalIp(p.socket) !== undefined && ip !== canonicalIp(p.socket)) walkedPast++;
          }
          cases += pairs.length;
        },
      ),
      { seed: SEED, numRuns: 15, endOnFailure: true },
    );
    assert.ok(cases >= 3000 && walkedPast >= 100, `${cases} cases, ${walkedPast} walked past the socket`);
  });

  test('when a chain is spoofed, all trusted, or holds a hostname then SQL picks the client the README describes', async () => {
    const trusted = [parseCidr('10.0.0.0/8'), parseCidr('2001:db8:ffff::/48')];
    await loadNetworks(trusted, [parseCidr('198.51.100.0/24')]);
    const pairs = [
      { socket: '10.0.0.1', xff: '192.0.2.50, 198.51.100.9, 10.0.0.2' },
      { socket: '10.0.0.1', xff: '10.0.0.3:5555, 10.0.0.2' },
      { socket: '10.0.0.1', xff: '198.51.100.1, proxy.example.org' },
      { socket: '[2001:db8:ffff::5]:443', xff: '[2001:DB8::9]:1234' },
      { socket: '10.0.0.1', xff: ' , 198.51.100.4 ,, -' },
      { socket: null, xff: null },
    ];
    await buildClientMap(store, `SELECT socket, xff FROM ${rowsSql(['socket', 'xff'])}`, { rows: JSON.stringify(pairs) });
    const rows = await store.all<{ socket: string | null; xff: string | null; client: string | null; network: string | null }>('SELECT * FROM client_map');
    const got = pairs.map((p) => rows.find((r) => r.socket === p.socket && r.xff === p.xff));
    assert.deepEqual(
      got.map((r) => [r?.client, r?.network]),
      [
        ['198.51.100.9', '198.51.100.0/24'],
        ['10.0.0.3', null],
        ['proxy.example.org', null],
        ['2001:db8::9', null],
        ['198.51.100.4', '198.51.100.0/24'],
        [null, null],
      ],
    );
  });
});
