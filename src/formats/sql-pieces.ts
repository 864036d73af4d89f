import type { Sql } from './column-map.js';

/*
 * SQL pieces more than one reader uses: the request line, addresses, escapes, times. Each takes
 * SQL expressions and returns one.
 */

/**
 * `replace(x, from, to)` where x holds `from`: DuckDB's replace() copies every string it is given,
 * about 3 µs a line (ten times a contains() test), and most values hold nothing to replace.
 */
export const replaceIf = (x: Sql, from: Sql, to: Sql): Sql => `CASE WHEN contains(${x}, ${from}) THEN replace(${x}, ${from}, ${to}) ELSE ${x} END`;

/**
 * Apache's `\\` and `\"` swapped for the reserved bytes 0x02 and 0x03 (see decode), in `x` when
 * `whole`, a text that holds x, has a backslash: a line with none is taken as it is.
 */
export const hideEscapes = (x: Sql, whole: Sql = x): Sql => `CASE WHEN contains(${whole}, '\\') THEN replace(replace(${x}, '\\\\', chr(2)), '\\"', chr(3)) ELSE ${x} END`;

/** `-` is how every access log writes "no value". */
export const dash = (x: Sql): Sql => `nullif(${x}, '-')`;
/** No value: `-` or empty. */
export const text = (x: Sql): Sql => `nullif(nullif(${x}, '-'), '')`;

/** The NCSA time, `10/Oct/2000:13:55:36 -0700`, as a strptime format. */
export const CLF_TIME = '%d/%b/%Y:%H:%M:%S %z';

/*
 * Apache escapes `"` and `\` inside quoted fields as `\"` and `\\`; readers swap them for the
 * reserved bytes 0x03 and 0x02 before looking for structural quotes. nginx writes `\x22` and `\x5C`.
 */
const decodeAll = (x: Sql) =>
  `replace(replace(replace(replace(replace(${x}, '\\x22', '"'), '\\x5C', '\\'), '\\x5c', '\\'), chr(3), '"'), chr(2), '\\')`;
/** Decodes escapes; most fields hold none, and a contains() test is far cheaper than five replaces. */
export const decode = (x: Sql): Sql => `CASE WHEN contains(${x}, '\\') OR contains(${x}, chr(2)) OR contains(${x}, chr(3)) THEN ${decodeAll(x)} ELSE ${x} END`;

/**
 * `METHOD target HTTP/x.y` from `rq` (the request field split on spaces) and the field itself: the
 * method and protocol are the first and last words, so a target with raw spaces stays whole.
 * `target` is read whatever the first word is; `path` only after a method; `dec` decodes each value.
 */
export function requestSql(rq: Sql, request: Sql, dec: (x: Sql) => Sql = (x) => x): { method: Sql; target: Sql; path: Sql; protocol: Sql } {
  const word = `CASE WHEN len(${rq}) >= 2 AND regexp_full_match(${rq}[1], '[A-Za-z][A-Za-z0-9_-]*') THEN ${rq}[1] END`;
  const proto = `CASE WHEN len(${rq}) >= 3 AND starts_with(${rq}[-1], 'HTTP/') THEN ${rq}[-1] ELSE '' END`;
  const whole = `len(${rq}) = 2 OR (len(${rq}) = 3 AND ${proto} <> '')`;
  const middle = `substr(${request}, length(${rq}[1]) + 2, length(${request}) - length(${rq}[1]) - 1 - CASE WHEN ${proto} = '' THEN 0 ELSE length(${proto}) + 1 END)`;
  return {
    method: dec(word),
    target: `CASE WHEN len(${rq}) < 2 THEN NULL WHEN ${whole} THEN ${dec(`${rq}[2]`)} ELSE ${dec(middle)} END`,
    path: `CASE WHEN ${word} IS NULL THEN NULL WHEN ${whole} THEN ${dec(`${rq}[2]`)} ELSE ${dec(middle)} END`,
    protocol: `nullif(${proto}, '')`,
  };
}

/** `[v6]:port`, `v4:port` or a bare address -> the address; a text with several colons is IPv6 without a port. */
export const hostOf = (addr: Sql): Sql =>
  `CASE WHEN starts_with(${addr}, '[') THEN split_part(substr(${addr}, 2), ']', 1)
        WHEN contains(${addr}, ':') AND NOT contains(substr(${addr}, strpos(${addr}, ':') + 1), ':') THEN split_part(${addr}, ':', 1)
        ELSE ${addr} END`;

/** The address of `ip:port` where IPv6 is written without brackets (`2001:db8::1:50718`): the port is after the last colon. */
export const beforeLastColon = (x: Sql): Sql => `left(${x}, length(${x}) - strpos(reverse(${x}), ':'))`;

/** A forwarded-for list as the NCSA reader stores it: comma-separated, no spaces. */
export const xffList = (x: Sql): Sql => `nullif(${replaceIf(x, "', '", "','")}, '')`;
/** Status 0 is logged when no handler wrote a status (Caddy, Traefik) or none was sent: not an HTTP status. */
export const statusOf = (x: Sql): Sql => `nullif(try_cast(${x} AS INTEGER), 0)`;
/** A size written as an integer or a float (JSON numbers). */
export const bytesOf = (x: Sql): Sql => `try_cast(try_cast(nullif(${x}, '-') AS DOUBLE) AS BIGINT)`;
