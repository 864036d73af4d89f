import { Address4, Address6 } from 'ip-address';

/** A parsed CIDR block; `contains` takes a canonical address. */
export interface Cidr {
  readonly text: string;
  contains(canonicalIp: string): boolean;
  /**
   * The same block as inclusive ranges of address numbers, for SQL (see ip-sql.ts): `v4` holds the
   * canonical IPv4 addresses it contains (an IPv4 block, or an IPv4-mapped IPv6 block of /96 or
   * longer), `v6` the IPv6 ones (an IPv6 block).
   */
  readonly v4: readonly [bigint, bigint] | undefined;
  readonly v6: readonly [bigint, bigint] | undefined;
}

const V4_MAPPED = new Address6('::ffff:0:0/96');

/**
 * Canonical text of one address as logs write it, or undefined if it is not an IP address.
 * Drops brackets, ports and IPv6 zone ids; IPv4-mapped IPv6 becomes IPv4; IPv6 is RFC 5952.
 */
export function canonicalIp(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  let s = value.trim();
  if (s === '' || s === '-') return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const zone = s.indexOf('%');
  if (zone > 0 && s.includes(':')) s = s.slice(0, zone);
  if (Address4.isValid(s) && !s.includes('/')) return new Address4(s).correctForm();
  if (Address6.isValid(s) && !s.includes('/')) {
    const a = new Address6(s);
    // Address6.is4() only says the text was written with a dotted quad; the prefix decides.
    if (a.isInSubnet(V4_MAPPED)) return Address4.fromHex(a.getBitsBase16(96, 128)).correctForm();
    return a.correctForm();
  }
  return undefined;
}

/** Parses `10.0.0.0/24`, `2001:db8::/32` or a single address; throws a plain Error when invalid. */
export function parseCidr(text: string): Cidr {
  const t = text.trim();
  const withMask = t.includes('/') ? t : t.includes(':') ? `${t}/128` : `${t}/32`;
  if (!t.includes(':')) {
    if (!Address4.isValid(withMask)) throw new Error(`'${text}' is not an IPv4 CIDR such as 10.0.0.0/24`);
    const net = new Address4(withMask);
    return {
      text: t,
      contains: (ip) => isAddress(ip) && Address4.isValid(ip) && new Address4(ip).isInSubnet(net),
      v4: [net.startAddress().bigInt(), net.endAddress().bigInt()],
      v6: undefined,
    };
  }
  if (!Address6.isValid(withMask)) throw new Error(`'${text}' is not an IPv6 CIDR such as 2001:db8::/32`);
  const net6 = new Address6(withMask);
  const mapped =
    net6.subnetMask >= 96 && net6.isInSubnet(V4_MAPPED) ? new Address4(`${Address4.fromHex(net6.getBitsBase16(96, 128)).correctForm()}/${net6.subnetMask - 96}`) : undefined;
  return {
    text: t,
    contains: (ip) => {
      if (!isAddress(ip)) return false;
      if (Address4.isValid(ip)) return mapped ? new Address4(ip).isInSubnet(mapped) : false;
      return Address6.isValid(ip) && new Address6(ip).isInSubnet(net6);
    },
    v4: mapped ? [mapped.startAddress().bigInt(), mapped.endAddress().bigInt()] : undefined,
    v6: [net6.startAddress().bigInt(), net6.endAddress().bigInt()],
  };
}

/**
 * A client written as a block (`10.0.0.1/32` in a forwarded-for) is not an address (canonicalIp
 * refuses it, so the walk keeps it as written) and no network contains it.
 */
function isAddress(ip: string): boolean {
  return !ip.includes('/');
}

export function inAny(ip: string | undefined, cidrs: readonly Cidr[]): Cidr | undefined {
  if (!ip) return undefined;
  return cidrs.find((c) => c.contains(ip));
}

/**
 * The client of a request: walk the forwarded-for chain followed by the socket address from the
 * right, skipping trusted proxies; the first untrusted address is the client. When every hop is
 * trusted, the left-most. An entry that is not an IP address (a hostname logged by HostnameLookups,
 * `unknown`) cannot be a trusted proxy: the walk stops there and that text is the client.
 */
export function resolveClient(
  socket: string | null | undefined,
  forwardedFor: string | null | undefined,
  trusted: readonly Cidr[],
): { ip: string | undefined; raw: string | undefined } {
  const chain = [...(forwardedFor ? forwardedFor.split(',') : []), ...(socket ? [socket] : [])]
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '-');
  if (chain.length === 0) return { ip: undefined, raw: undefined };
  for (let i = chain.length - 1; i >= 0; i--) {
    const raw = chain[i]!;
    const ip = canonicalIp(raw);
    if (!ip) return { ip: raw, raw };
    if (!inAny(ip, trusted)) return { ip, raw };
  }
  const first = chain[0]!;
  return { ip: canonicalIp(first) ?? first, raw: first };
}
