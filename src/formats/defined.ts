import { quoteString } from '../db/sql.js';
import { decode, requestSql } from './clf.js';
import type { FormatContext, LogFormat } from './format.js';

/*
 * A reader built from the server's own format definition, pasted from its configuration:
 *   format: {nginx: '$remote_addr - $remote_user [$time_local] "$request" $status ...'}
 *   format: {apache: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'}
 * The definition becomes one anchored RE2 pattern with a capture group per variable; DuckDB runs
 * it once per line (regexp_extract into a struct). A variable's group stops at the character that
 * follows it in the definition; inside double quotes it also steps over `\"` escapes. Variables
 * breachscope has no use for are matched and ignored.
 */

export type ServerKind = 'nginx' | 'apache';

export interface FormatDefinition {
  readonly server: ServerKind;
  readonly text: string;
}

type Item = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'var'; readonly key: string; readonly shown: string };

/** nginx `$name` / `${name}`; the key is the lower-cased name. */
function tokenizeNginx(text: string): Item[] {
  const items: Item[] = [];
  const re = /\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > at) items.push({ kind: 'literal', text: text.slice(at, m.index) });
    items.push({ kind: 'var', key: (m[1] ?? m[2]!).toLowerCase(), shown: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) items.push({ kind: 'literal', text: text.slice(at) });
  return items;
}

/**
 * Apache `%[conditions][<>]{arg}letter`; the key is `letter` or `letter:arg` (arg lower-cased
 * except for time formats), with `>s`/`<s` kept apart. `%%` is a literal percent sign. A definition
 * copied from a LogFormat line may still hold the config file's `\"` escapes: they are quotes.
 */
function tokenizeApache(text: string): Item[] {
  const items: Item[] = [];
  const src = text.replaceAll('\\"', '"').replaceAll('\\t', '\t');
  const re = /%%|%!?[0-9,]*([<>]?)(?:\{([^}]*)\})?([<>]?)([a-zA-Z])/g;
  let at = 0;
  for (const m of src.matchAll(re)) {
    if (m.index > at) items.push({ kind: 'literal', text: src.slice(at, m.index) });
    if (m[0] === '%%') items.push({ kind: 'literal', text: '%' });
    else {
      const [, before = '', arg, after = '', letter] = m;
      const dir = before || after;
      const key = letter === 's' && dir ? `${dir}s` : arg === undefined ? letter! : `${letter}:${letter === 't' ? arg : arg.toLowerCase()}`;
      items.push({ kind: 'var', key, shown: m[0] });
    }
    at = m.index + m[0].length;
  }
  if (at < src.length) items.push({ kind: 'literal', text: src.slice(at) });
  return items;
}

const escapeRe = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);

/** Where the event fields come from, by variable key, first present wins. */
const SOURCES: Record<ServerKind, Record<string, readonly string[]>> = {
  nginx: {
    client_ip: ['remote_addr', 'realip_remote_addr'],
    forwarded_for: ['http_x_forwarded_for', 'proxy_add_x_forwarded_for'],
    vhost: ['host', 'http_host', 'server_name'],
    request: ['request'],
    method: ['request_method'],
    path: ['request_uri'],
    uri: ['uri', 'document_uri'],
    query: ['args', 'query_string'],
    protocol: ['server_protocol'],
    status: ['status'],
    bytes: ['body_bytes_sent', 'bytes_sent'],
    referer: ['http_referer'],
    user_agent: ['http_user_agent'],
    account: ['remote_user'],
    request_id: ['request_id', 'http_x_request_id', 'http_x_correlation_id'],
    session: ['http_x_session_id'],
  },
  apache: {
    client_ip: ['a', 'h'],
    forwarded_for: ['i:x-forwarded-for'],
    vhost: ['v', 'V', 'i:host'],
    request: ['r'],
    method: ['m'],
    uri: ['U'],
    query: ['q'],
    protocol: ['H'],
    status: ['>s', 's', '<s'],
    bytes: ['b', 'B', 'O'],
    referer: ['i:referer'],
    user_agent: ['i:user-agent'],
    account: ['u'],
    request_id: ['i:x-request-id', 'e:unique_id', 'L'],
    session: ['i:x-session-id'],
  },
};

const CLF_TIME = '%d/%b/%Y:%H:%M:%S %z';

/** How a time variable reads; undefined: not a time variable. */
function timeReader(server: ServerKind, key: string): { pattern?: string; sql: (v: string, zone: string | undefined) => string; local: boolean; strptime?: string } | undefined {
  const epoch = (scale: number) => ({ local: false, sql: (v: string) => `try(to_timestamp(try_cast(${v} AS DOUBLE) / ${scale}))` });
  if (server === 'nginx') {
    if (key === 'time_local') return { local: false, pattern: '([0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4})', sql: (v) => `try_strptime(${v}, '${CLF_TIME}')` };
    if (key === 'time_iso8601') return { local: false, sql: (v) => `try_cast(${v} AS TIMESTAMPTZ)` };
    if (key === 'msec') return epoch(1);
    return undefined;
  }
  if (key === 't') return { local: false, pattern: '\\[([^\\]]*)\\]', sql: (v) => `try_strptime(${v}, '${CLF_TIME}')` };
  if (!key.startsWith('t:')) return undefined;
  const fmt = key.slice(2).replace(/^(begin|end):/, '');
  if (fmt === 'sec') return epoch(1);
  if (fmt === 'msec') return epoch(1e3);
  if (fmt === 'usec') return epoch(1e6);
  if (fmt === 'msec_frac' || fmt === 'usec_frac') return undefined;
  const strp = fmt.replaceAll('%T', '%H:%M:%S').replaceAll('%F', '%Y-%m-%d').replaceAll('%D', '%m/%d/%y').replaceAll('%R', '%H:%M');
  const local = !/%z|%Z/.test(strp);
  return {
    local,
    strptime: strp,
    sql: (v, zone) => (local ? (zone ? `timezone(${quoteString(zone)}, try_strptime(${v}, ${quoteString(strp)}))` : 'NULL::TIMESTAMPTZ') : `try_strptime(${v}, ${quoteString(strp)})`),
  };
}

export interface CompiledDefinition {
  readonly format: LogFormat;
  /** Problems that make the definition unusable; empty when it compiled. */
  readonly problems: readonly string[];
  /** The whole-line RE2 pattern and an Apache `%{...}t` strftime: DuckDB checks both when the case loads. */
  readonly pattern: string;
  readonly strptime: string | undefined;
}

/** Builds a reader from a definition, or says why it cannot. */
export function compileDefinition(def: FormatDefinition): CompiledDefinition {
  const items = def.server === 'nginx' ? tokenizeNginx(def.text) : tokenizeApache(def.text);
  const vars = items.filter((i): i is Extract<Item, { kind: 'var' }> => i.kind === 'var');
  const problems: string[] = [];
  const col = new Map<string, string>();
  let pattern = '';
  items.forEach((item, i) => {
    if (item.kind === 'literal') {
      pattern += escapeRe(item.text);
      return;
    }
    const name = `c${col.size + 1}`;
    if (!col.has(item.key)) col.set(item.key, `m.${name}`);
    else col.set(`${item.key}#${i}`, `m.${name}`);
    const prev = items[i - 1];
    const next = items[i + 1];
    const quoted = prev?.kind === 'literal' && prev.text.endsWith('"') && next?.kind === 'literal' && next.text.startsWith('"');
    // Apache's %q is empty or starts with '?': that lets `%U%q` split where the query begins.
    const special = def.server === 'apache' && item.key === 'q' ? '(\\?[^ \t"]*|)' : timeReader(def.server, item.key)?.pattern;
    if (special) pattern += special;
    else if (quoted) pattern += '((?:[^"\\\\]|\\\\.)*)';
    else if (!next) pattern += '(.*)';
    else if (next.kind === 'var') pattern += '(.*?)';
    else pattern += `([^${escapeRe(next.text[0]!)}]*)`;
  });
  const full = `^(${pattern})[ \\t]*$`;
  const names = ['c0', ...vars.map((_, i) => `c${i + 1}`)];

  const src = SOURCES[def.server];
  const first = (field: string): string | undefined => {
    for (const key of src[field] ?? []) {
      const c = col.get(key);
      if (c) return c;
    }
    return undefined;
  };
  const value = (field: string) => {
    const c = first(field);
    return c ? decode(`nullif(nullif(${c}, '-'), '')`) : 'NULL::VARCHAR';
  };
  const timeVar = vars.find((v) => timeReader(def.server, v.key));
  const session = [...col.entries()].find(([k]) => /^(cookie_|C:).*sess/i.test(k))?.[1];
  if (!timeVar) problems.push(def.server === 'nginx' ? 'it has no time variable: add $time_local, $time_iso8601 or $msec' : 'it has no time: add %t or %{format}t');
  if (!first('request') && !first('path') && !first('uri')) problems.push(def.server === 'nginx' ? 'it has no request: add $request, or $request_method and $request_uri' : 'it has no request: add "%r", or %m and %U%q');
  if (vars.length === 0) problems.push('it holds no variables');

  const timeRead = timeVar ? timeReader(def.server, timeVar.key)! : undefined;
  const timeCol = timeVar ? col.get(timeVar.key)! : 'NULL';
  const hasRequest = first('request') !== undefined;
  const r = requestSql('rq', 'request_txt', decode);
  const pathSql = first('path')
    ? value('path')
    : first('uri')
      ? `${value('uri')} || coalesce(CASE WHEN starts_with(${value('query')}, '?') THEN ${value('query')} ELSE '?' || ${value('query')} END, '')`
      : 'NULL::VARCHAR';

  const sql = (ctx: FormatContext) => `
WITH s AS (
  SELECT line_no, line, regexp_extract(replace(replace(line, '\\\\', chr(2)), '\\"', chr(3)), ${quoteString(full)}, [${names.map(quoteString).join(', ')}]) AS m
  FROM lines
), t AS (
  SELECT *,
    m.c0 <> '' AS matched,
    ${timeRead ? timeRead.sql(`nullif(${timeCol}, '-')`, ctx.timezone) : 'NULL::TIMESTAMPTZ'} AS time,
    ${hasRequest ? value('request') : 'NULL::VARCHAR'} AS request_txt
  FROM s
), u AS (
  SELECT *, string_split(request_txt, ' ') AS rq FROM t
)
SELECT
  line_no,
  line,
  time,
  ${value('client_ip')} AS client_ip,
  ${value('forwarded_for')} AS forwarded_for,
  ${value('vhost')} AS vhost,
  ${hasRequest ? `coalesce(${r.method}, ${value('method')})` : value('method')} AS method,
  ${hasRequest ? `coalesce(${r.path}, ${pathSql})` : pathSql} AS path,
  ${hasRequest ? `coalesce(${r.protocol}, ${value('protocol')})` : value('protocol')} AS protocol,
  try_cast(${value('status')} AS INTEGER) AS status,
  try_cast(${value('bytes')} AS BIGINT) AS bytes,
  ${value('user_agent')} AS user_agent,
  ${value('referer')} AS referer,
  ${value('account')} AS account,
  ${session ? decode(`nullif(nullif(${session}, '-'), '')`) : value('session')} AS session,
  ${value('request_id')} AS request_id,
  NULL::VARCHAR AS document,
  CASE
    WHEN NOT matched THEN 'does not match the ${def.server} format definition in the case file'
    WHEN time IS NULL AND ${timeRead?.local && !ctx.timezone ? 'TRUE' : 'FALSE'} THEN 'the time format has no offset: set timezone: on this source'
    WHEN time IS NULL THEN 'time ''' || coalesce(${timeCol}, '') || ''' does not read as ${timeVar?.shown ?? 'a time'}'
    WHEN ${first('status') ? `NOT regexp_full_match(coalesce(${first('status')}, ''), '[0-9]{3}|-')` : 'FALSE'} THEN 'status ''' || ${first('status') ?? "''"} || ''' is not a 3-digit code'
  END AS reject_reason
FROM u`;

  const jsPattern = new RegExp(`^(?:${pattern})[ \\t]*$`);
  // method and path also come from the request line; path also from uri (+ query); session also from a cookie.
  const filled: Record<string, boolean> = {
    method: hasRequest || first('method') !== undefined,
    path: hasRequest || pathSql !== 'NULL::VARCHAR',
    session: session !== undefined || first('session') !== undefined,
  };
  const fills = ['client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'request_id', 'session'].filter((f) => filled[f] ?? first(f) !== undefined);
  return {
    problems,
    pattern: full,
    strptime: timeRead?.strptime,
    format: {
      name: `${def.server}_format`,
      title: `${def.server === 'nginx' ? 'nginx log_format' : 'Apache LogFormat'} from the case file: ${def.text}`,
      fills: ['time', ...fills] as LogFormat['fills'],
      samples: [],
      rejects: [],
      sniff: (line) => jsPattern.test(line.replaceAll('\\\\', '\x02').replaceAll('\\"', '\x03')),
      sql,
    },
  };
}
