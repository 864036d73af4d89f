import { quoteString } from '../db/sql.js';
import { aliasesOf, type AliasKey } from './aliases.js';
import type { ColumnMap } from './column-map.js';
import type { FormatContext, LogFormat } from './format.js';
import { CLF_TIME, decode, hideEscapes, requestSql } from './sql-pieces.js';

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

type Var = Extract<Item, { kind: 'var' }>;

/** The RE2 pattern of a definition, a group per variable, and each variable key's `m.cN` field. */
function patternOf(def: FormatDefinition, items: readonly Item[]): { pattern: string; col: Map<string, string> } {
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
  return { pattern, col };
}

/** What a compiled definition reads: its variables, which field each value comes from, its time. */
interface Parts {
  readonly def: FormatDefinition;
  readonly full: string;
  readonly names: readonly string[];
  readonly first: (field: AliasKey) => string | undefined;
  readonly value: (field: AliasKey) => string;
  readonly session: string | undefined;
  readonly timeVar: Var | undefined;
  /** The time variable's `m.cN`, or NULL. */
  readonly timeCol: string;
}

const pathOf = (p: Parts): string => {
  if (p.first('path')) return p.value('path');
  if (!p.first('uri_stem')) return 'NULL::VARCHAR';
  const q = p.value('query');
  return `${p.value('uri_stem')} || coalesce(CASE WHEN starts_with(${q}, '?') THEN ${q} ELSE '?' || ${q} END, '')`;
};

function definitionRead(p: Parts, ctx: FormatContext): ColumnMap {
  const timeRead = p.timeVar ? timeReader(p.def.server, p.timeVar.key)! : undefined;
  const timeCol = p.timeCol;
  const hasRequest = p.first('request') !== undefined;
  const r = requestSql('rq', 'request_txt', decode);
  const status = p.first('status');
  return {
    ctes: `s AS (
  SELECT line_no, line, regexp_extract(${hideEscapes('line')}, ${quoteString(p.full)}, [${p.names.map(quoteString).join(', ')}]) AS m
  FROM lines
), t AS (
  SELECT *,
    m.c0 <> '' AS matched,
    ${timeRead ? timeRead.sql(`nullif(${timeCol}, '-')`, ctx.timezone) : 'NULL::TIMESTAMPTZ'} AS time,
    ${hasRequest ? p.value('request') : 'NULL::VARCHAR'} AS request_txt
  FROM s
), u AS (
  SELECT *, string_split(request_txt, ' ') AS rq FROM t
)`,
    from: 'u',
    columns: {
      time: 'time',
      client_ip: p.value('client_ip'),
      forwarded_for: p.value('forwarded_for'),
      vhost: p.value('vhost'),
      method: hasRequest ? `coalesce(${r.method}, ${p.value('method')})` : p.value('method'),
      path: hasRequest ? `coalesce(${r.path}, ${pathOf(p)})` : pathOf(p),
      protocol: hasRequest ? `coalesce(${r.protocol}, ${p.value('protocol')})` : p.value('protocol'),
      status: `try_cast(${p.value('status')} AS INTEGER)`,
      bytes: `try_cast(${p.value('bytes')} AS BIGINT)`,
      user_agent: p.value('user_agent'),
      referer: p.value('referer'),
      account: p.value('account'),
      session: p.session ? decode(`nullif(nullif(${p.session}, '-'), '')`) : p.value('session'),
      request_id: p.value('request_id'),
    },
    rejectWhen: [
      ['NOT matched', `'does not match the ${p.def.server} format definition in the case file'`],
      [`time IS NULL AND ${timeRead?.local && !ctx.timezone ? 'TRUE' : 'FALSE'}`, `'the time format has no offset: set timezone: on this source'`],
      ['time IS NULL', `'time ''' || coalesce(${timeCol}, '') || ''' does not read as ${p.timeVar?.shown ?? 'a time'}'`],
      [status ? `NOT regexp_full_match(coalesce(${status}, ''), '[0-9]{3}|-')` : 'FALSE', `'status ''' || ${status ?? "''"} || ''' is not a 3-digit code'`],
    ],
  };
}

/** Builds a reader from a definition, or says why it cannot. */
export function compileDefinition(def: FormatDefinition): CompiledDefinition {
  const items = def.server === 'nginx' ? tokenizeNginx(def.text) : tokenizeApache(def.text);
  const vars = items.filter((i): i is Var => i.kind === 'var');
  const { pattern, col } = patternOf(def, items);
  const first = (field: AliasKey): string | undefined => aliasesOf(field, def.server).map((k) => col.get(k)).find((c) => c !== undefined);
  const value = (field: AliasKey) => {
    const c = first(field);
    return c ? decode(`nullif(nullif(${c}, '-'), '')`) : 'NULL::VARCHAR';
  };
  const timeVar = vars.find((v) => timeReader(def.server, v.key));
  const session = [...col.entries()].find(([k]) => /^(cookie_|C:).*sess/i.test(k))?.[1];
  const problems: string[] = [];
  if (!timeVar) problems.push(def.server === 'nginx' ? 'it has no time variable: add $time_local, $time_iso8601 or $msec' : 'it has no time: add %t or %{format}t');
  if (!first('request') && !first('path') && !first('uri_stem')) problems.push(def.server === 'nginx' ? 'it has no request: add $request, or $request_method and $request_uri' : 'it has no request: add "%r", or %m and %U%q');
  if (vars.length === 0) problems.push('it holds no variables');
  const full = `^(${pattern})[ \\t]*$`;
  const parts: Parts = {
    def,
    full,
    names: ['c0', ...vars.map((_, i) => `c${i + 1}`)],
    first,
    value,
    session,
    timeVar,
    timeCol: timeVar ? col.get(timeVar.key)! : 'NULL',
  };
  const jsPattern = new RegExp(`^(?:${pattern})[ \\t]*$`);
  // method and path also come from the request line; path also from uri (+ query); session also from a cookie.
  const filled: Record<string, boolean> = {
    method: first('request') !== undefined || first('method') !== undefined,
    path: first('request') !== undefined || pathOf(parts) !== 'NULL::VARCHAR',
    session: session !== undefined || first('session') !== undefined,
  };
  const fills = (['client_ip', 'forwarded_for', 'method', 'path', 'status', 'bytes', 'user_agent', 'referer', 'account', 'request_id', 'session'] as const).filter((f) => filled[f] ?? first(f) !== undefined);
  return {
    problems,
    pattern: full,
    strptime: timeVar ? timeReader(def.server, timeVar.key)!.strptime : undefined,
    format: {
      name: `${def.server}_format`,
      title: `${def.server === 'nginx' ? 'nginx log_format' : 'Apache LogFormat'} from the case file: ${def.text}`,
      fills: ['time', ...fills],
      samples: [],
      rejects: [],
      sniff: (line) => jsPattern.test(line.replaceAll('\\\\', '\x02').replaceAll('\\"', '\x03')),
      read: (ctx) => definitionRead(parts, ctx),
    },
  };
}
