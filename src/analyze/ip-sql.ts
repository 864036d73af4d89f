import type { Params, Store } from '../db/store.js';
import type { Cidr } from '../case/ip.js';

/*
 * Client IPs in SQL: the same canonical forms, forwarded-for walk and network tests as ip.ts (the
 * reference, which the ip-address package backs), done by DuckDB over the distinct (socket,
 * forwarded-for) pairs so that no per-address work happens in JavaScript. DuckDB has no inet type
 * here, so an address is parsed with string functions into numbers: IPv4 as a UBIGINT, IPv6 as a
 * UHUGEINT of its eight groups. test/enrich/ip-sql.test.ts checks every step against ip.ts.
 */

/** What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
const JS_SPACE = [0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
const SPACE_CLASS = `[${JS_SPACE.map((c) => `\\x{${c.toString(16)}}`).join('')}]`;
/** trim() with a character list is slow: only called for the rare text that starts or ends with a space. */
const jsTrim = (expr: string) =>
  `CASE WHEN regexp_matches(${expr}, '^${SPACE_CLASS}|${SPACE_CLASS}$') THEN trim(${expr}, ${JS_SPACE.map((c) => `chr(${c})`).join(' || ')}) ELSE ${expr} END`;

/** The eight groups of an IPv6 address, written out: a list lambda costs more than the expression. */
const EIGHT = [1, 2, 3, 4, 5, 6, 7, 8];

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** A dotted quad without leading zeros (ip-address's Address4). */
const V4 = `${OCTET}(\\.${OCTET}){3}`;
/** What ip-address rejects in IPv6 text once a dotted-quad tail became two groups. */
const V6_BAD = '[0-9a-fA-F]{5,}|:::|[^:]:$|^:[^:]';

/**
 * A SELECT that adds to every row of `source` (a relation with a text column `raw`) the columns
 * `ip`: the canonical text of raw as canonicalIp (ip.ts) gives it, NULL when raw is not an IP
 * address; `v4`: an IPv4 address as a number; `v6`: an IPv6 address as a number. Each step is a
 * column of its own subquery so that no expression is computed twice.
 */
export function parsedIpSql(source: string): string {
  const steps = [
    `${jsTrim('raw')} AS _t`,
    // Brackets and a port go ([2001:db8::1]:443, [::1]); a port after a dotted quad goes (1.2.3.4:80).
    `CASE WHEN _t IN ('', '-') THEN NULL
          WHEN regexp_full_match(_t, '\\[[^\\]]+\\](:[0-9]+)?') THEN regexp_extract(_t, '^\\[([^\\]]+)\\]', 1)
          WHEN regexp_full_match(_t, '[0-9]{1,3}(\\.[0-9]{1,3}){3}:[0-9]+') THEN split_part(_t, ':', 1)
          ELSE _t END AS _s1`,
    // A zone id (fe80::1%eth0) goes; then a block (10.0.0.0/8) is not an address.
    `CASE WHEN strpos(_s1, '%') > 1 AND contains(_s1, ':') THEN split_part(_s1, '%', 1) ELSE _s1 END AS _s`,
    `CASE WHEN NOT contains(_s, '/') THEN regexp_full_match(_s, '${V4}') END AS _is4`,
    `CASE WHEN NOT _is4 AND length(_s) <= 45 AND regexp_full_match(_s, '[0-9a-fA-F:.]*')
          THEN regexp_extract(_s, '[^:]*$') END AS _tail`,
    // IPv6 text with a dotted-quad tail (::ffff:1.2.3.4) gets the quad as two hex groups.
    `CASE WHEN _is4 OR _tail IS NULL THEN NULL
          WHEN NOT contains(_s, '.') THEN _s
          WHEN regexp_full_match(_tail, '${V4}') THEN left(_s, length(_s) - length(_tail))
            || printf('%x:%x', split_part(_tail, '.', 1)::INTEGER * 256 + split_part(_tail, '.', 2)::INTEGER,
                               split_part(_tail, '.', 3)::INTEGER * 256 + split_part(_tail, '.', 4)::INTEGER)
          END AS _hex`,
    `CASE WHEN regexp_full_match(_hex, '[0-9a-fA-F:]*') AND NOT regexp_matches(_hex, '${V6_BAD}')
          THEN string_split(_hex, '::') END AS _halves`,
    `CASE len(_halves) WHEN 1 THEN string_split(_hex, ':') END AS _whole,
     CASE len(_halves) WHEN 2 THEN CASE WHEN _halves[1] = '' THEN []::VARCHAR[] ELSE string_split(_halves[1], ':') END END AS _head,
     CASE len(_halves) WHEN 2 THEN CASE WHEN _halves[2] = '' THEN []::VARCHAR[] ELSE string_split(_halves[2], ':') END END AS _rest`,
    // `::` stands for at least one zero group.
    `coalesce(_whole, CASE WHEN len(_head) + len(_rest) <> 8
       THEN _head || list_transform(range(greatest(8 - len(_head) - len(_rest), 0)), lambda i: '0') || _rest END) AS _groups`,
    `CASE WHEN len(_groups) = 8 AND NOT list_contains(_groups, '') THEN [${EIGHT.map((i) => `('0x' || _groups[${i}])::INTEGER`).join(', ')}] END AS _h`,
    `_h[1] = 0 AND _h[2] = 0 AND _h[3] = 0 AND _h[4] = 0 AND _h[5] = 0 AND _h[6] = 65535 AS _mapped,
     ${EIGHT.map((i) => `CASE WHEN _h[${i}] = 0 THEN '1' ELSE '0' END`).join(' || ')} AS _zeros,
     [${EIGHT.map((i) => `lower(hex(_h[${i}]))`).join(', ')}] AS _hx`,
    // RFC 5952: the longest run of two or more zero groups becomes `::`, the first on a tie.
    `CASE ${[8, 7, 6, 5, 4, 3, 2].map((n) => `WHEN contains(_zeros, '${'1'.repeat(n)}') THEN ${n}`).join(' ')} ELSE 0 END AS _run`,
    `CASE WHEN _is4 THEN _s
          WHEN _mapped THEN printf('%d.%d.%d.%d', _h[7] >> 8, _h[7] & 255, _h[8] >> 8, _h[8] & 255)
          WHEN _run >= 2 THEN array_to_string(_hx[1:strpos(_zeros, repeat('1', _run)) - 1], ':') || '::'
            || array_to_string(_hx[strpos(_zeros, repeat('1', _run)) + _run:], ':')
          ELSE array_to_string(_hx, ':') END AS ip,
     CASE WHEN _is4 THEN ${[1, 2, 3, 4].map((i) => `(split_part(_s, '.', ${i})::UBIGINT << ${32 - 8 * i})`).join(' | ')}
          WHEN _mapped THEN _h[7]::UBIGINT * 65536 + _h[8] END AS v4,
     CASE WHEN NOT _mapped THEN ${EIGHT.map((i) => `(_h[${i}]::UHUGEINT << ${128 - 16 * i})`).join(' | ')} END AS v6`,
  ];
  const nested = steps.reduce((from, step) => `SELECT *, ${step} FROM (${from})`, `SELECT * FROM ${source}`);
  return `SELECT * EXCLUDE (_t, _s1, _s, _is4, _tail, _hex, _halves, _whole, _head, _rest, _groups, _h, _mapped, _zeros, _hx, _run) FROM (${nested})`;
}

/** Whether the address with numbers `v4`, `v6` (columns of `addr`) is in the network row `net`. */
export function inNetworkSql(addr: string, net: string): string {
  return `(${addr}.v4 BETWEEN ${net}.v4_lo AND ${net}.v4_hi OR ${addr}.v6 BETWEEN ${net}.v6_lo AND ${net}.v6_hi)`;
}

/**
 * `ip_networks` (kind, pos, text, v4_lo, v4_hi, v6_lo, v6_hi): the case's trusted proxies and
 * authorized networks in case-file order, as ranges of address numbers. Bind `networkParams`.
 */
export const NETWORKS_SQL = `CREATE OR REPLACE TEMP TABLE ip_networks AS
  SELECT kind, pos, text,
    nullif(v4_lo, '')::UBIGINT AS v4_lo, nullif(v4_hi, '')::UBIGINT AS v4_hi,
    nullif(v6_lo, '')::UHUGEINT AS v6_lo, nullif(v6_hi, '')::UHUGEINT AS v6_hi
  FROM (SELECT unnest($kind) AS kind, generate_subscripts($kind, 1) AS pos, unnest($text) AS text,
          unnest($v4_lo) AS v4_lo, unnest($v4_hi) AS v4_hi, unnest($v6_lo) AS v6_lo, unnest($v6_hi) AS v6_hi)`;

export function networkParams(lists: Readonly<Record<'trusted' | 'authorized', readonly Cidr[]>>): Params {
  const rows = Object.entries(lists).flatMap(([kind, cidrs]) => cidrs.map((c) => ({ kind, c })));
  const bound = (r: readonly [bigint, bigint] | undefined, i: 0 | 1) => (r ? r[i].toString() : '');
  return {
    kind: rows.map((r) => r.kind),
    text: rows.map((r) => r.c.text),
    v4_lo: rows.map((r) => bound(r.c.v4, 0)),
    v4_hi: rows.map((r) => bound(r.c.v4, 1)),
    v6_lo: rows.map((r) => bound(r.c.v6, 0)),
    v6_hi: rows.map((r) => bound(r.c.v6, 1)),
  };
}

/**
 * Builds `client_map` (socket, xff, client, network) for every distinct (socket, xff) pair of
 * `pairs` (a SELECT with those two columns; `params` are bound to it), as resolveClient and inAny
 * (ip.ts) give them: the chain is the forwarded-for entries and then the socket, trimmed, without
 * empty and `-` entries; walking from the right past trusted proxies, the first other entry is the
 * client (an entry that is not an address stops the walk as written); when every hop is trusted,
 * the left-most. `network` is the first authorized network that contains the client. Needs
 * `ip_networks` (NETWORKS_SQL).
 *
 * Every step is a table of its own and every aggregate keeps numbers only, so that millions of
 * distinct clients spill to the store's temp folder within the memory limit (a window over all
 * pairs, or an arg_max of text per pair, held them in memory: 6.4M pairs failed at 450 MB).
 */
export async function buildClientMap(store: Store, pairs: string, params?: Params): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE cm_pairs AS
     SELECT socket, xff, list_filter(list_transform(string_split(coalesce(xff, ''), ',') || [coalesce(socket, '')], lambda e: ${jsTrim('e')}),
                                     lambda e: e NOT IN ('', '-')) AS chain
     FROM (SELECT DISTINCT socket, xff FROM (${pairs}))`,
    params,
  );
  for (const sql of CLIENT_MAP_STEPS) await store.run(sql);
}

/**
 * `client_map` for the pairs of `pairs` under the case's trusted proxies and authorized networks:
 * `ip_networks` made, the map built, `ip_networks` dropped. Both engines resolve clients here.
 */
export async function resolveClients(store: Store, pairs: string, networks: Readonly<Record<'trusted' | 'authorized', readonly Cidr[]>>): Promise<void> {
  await store.run(NETWORKS_SQL, networkParams(networks));
  await buildClientMap(store, pairs);
  await store.run('DROP TABLE ip_networks');
}

const CLIENT_MAP_STEPS = [
  `CREATE OR REPLACE TEMP TABLE cm_hops AS
   SELECT socket, xff, len(chain) AS n, unnest(chain) AS raw, generate_subscripts(chain, 1) AS pos FROM cm_pairs`,
  `CREATE OR REPLACE TEMP TABLE cm_parsed AS ${parsedIpSql('(SELECT DISTINCT raw FROM cm_hops)')}`,
  // Whether each distinct hop is a trusted proxy, and the first authorized network it is in.
  `CREATE OR REPLACE TEMP TABLE cm_addresses AS
   WITH matched AS (
     SELECT a.raw, bool_or(n.kind = 'trusted') AS trusted, min(n.pos) FILTER (WHERE n.kind = 'authorized') AS network_pos
     FROM cm_parsed a JOIN ip_networks n ON ${inNetworkSql('a', 'n')}
     GROUP BY a.raw
   )
   SELECT a.raw, a.ip, coalesce(m.trusted, false) AS trusted, n.text AS network
   FROM cm_parsed a LEFT JOIN matched m ON m.raw = a.raw LEFT JOIN ip_networks n ON n.pos = m.network_pos`,
  `CREATE OR REPLACE TEMP TABLE cm_located AS
   SELECT h.socket, h.xff, h.n, h.pos, coalesce(a.ip, h.raw) AS client, a.network, a.ip IS NULL OR NOT a.trusted AS stops
   FROM cm_hops h JOIN cm_addresses a ON a.raw = h.raw`,
  // A one-hop chain is its own client; a longer one stops at its right-most untrusted hop.
  `CREATE OR REPLACE TEMP TABLE client_map AS
   WITH chosen AS (
     SELECT socket, xff, coalesce(max(pos) FILTER (WHERE stops), min(pos)) AS pos FROM cm_located WHERE n > 1 GROUP BY socket, xff
   )
   SELECT socket, xff, client, network FROM cm_located WHERE n = 1
   UNION ALL
   SELECT l.socket, l.xff, l.client, l.network
   FROM cm_located l JOIN chosen c ON l.socket IS NOT DISTINCT FROM c.socket AND l.xff IS NOT DISTINCT FROM c.xff AND l.pos = c.pos
   WHERE l.n > 1
   UNION ALL
   SELECT socket, xff, NULL, NULL FROM cm_pairs WHERE len(chain) = 0`,
  'DROP TABLE cm_pairs',
  'DROP TABLE cm_hops',
  'DROP TABLE cm_parsed',
  'DROP TABLE cm_addresses',
  'DROP TABLE cm_located',
];
