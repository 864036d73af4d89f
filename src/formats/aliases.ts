/**
 * The names each kind of log gives a value, first found wins: JSON keys tried by `jsonl` for a field
 * the case file does not map (nginx `escape=json` variable names and common application-log names),
 * nginx variables and Apache `%` directives in a format definition (`letter` or `letter:arg`), and
 * W3C `#Fields:` names. One table, so a value's names in every dialect sit side by side.
 * `uri_stem` is a path without its query, `path` one with it.
 */
export const ALIASES = {
  time: { jsonl: ['time', 'timestamp', 'ts', '@timestamp', 'time_iso8601', 'time_local', 'date', 'datetime'], w3c: ['time', 'time-local'] },
  date: { w3c: ['date', 'date-local'] },
  client_ip: { jsonl: ['remote_addr', 'client_ip', 'clientip', 'ip', 'remote_ip', 'c_ip'], nginx: ['remote_addr', 'realip_remote_addr'], apache: ['a', 'h'], w3c: ['c-ip'] },
  forwarded_for: {
    jsonl: ['http_x_forwarded_for', 'x_forwarded_for', 'xff', 'forwarded_for'],
    nginx: ['http_x_forwarded_for', 'proxy_add_x_forwarded_for'],
    apache: ['i:x-forwarded-for'],
    w3c: ['x-forwarded-for', 'cs(x-forwarded-for)', 's-xff'],
  },
  vhost: { jsonl: ['host', 'server_name', 'vhost'], nginx: ['host', 'http_host', 'server_name'], apache: ['v', 'V', 'i:host'], w3c: ['cs-host', 'cs(host)'] },
  request: { jsonl: ['request'], nginx: ['request'], apache: ['r'] },
  method: { jsonl: ['request_method', 'method'], nginx: ['request_method'], apache: ['m'], w3c: ['cs-method'] },
  path: { jsonl: ['request_uri', 'uri', 'path', 'url'], nginx: ['request_uri'], w3c: ['cs-uri'] },
  uri_stem: { nginx: ['uri', 'document_uri'], apache: ['U'], w3c: ['cs-uri-stem'] },
  query: { nginx: ['args', 'query_string'], apache: ['q'], w3c: ['cs-uri-query'] },
  protocol: { nginx: ['server_protocol'], apache: ['H'], w3c: ['cs-version'] },
  status: { jsonl: ['status', 'status_code', 'response_status'], nginx: ['status'], apache: ['>s', 's', '<s'], w3c: ['sc-status', 'c-status'] },
  bytes: { jsonl: ['body_bytes_sent', 'bytes_sent', 'bytes', 'length', 'size', 'response_size'], nginx: ['body_bytes_sent', 'bytes_sent'], apache: ['b', 'B', 'O'], w3c: ['sc-bytes', 'bytes'] },
  user_agent: { jsonl: ['http_user_agent', 'user_agent', 'useragent', 'ua', 'agent'], nginx: ['http_user_agent'], apache: ['i:user-agent'], w3c: ['cs(user-agent)'] },
  referer: { jsonl: ['http_referer', 'referer', 'referrer'], nginx: ['http_referer'], apache: ['i:referer'], w3c: ['cs(referer)', 'cs(referrer)'] },
  account: { jsonl: ['remote_user', 'user', 'account', 'username', 'user_id'], nginx: ['remote_user'], apache: ['u'], w3c: ['cs-username', 'c-auth-id'] },
  session: { jsonl: ['session', 'session_id', 'sid'], nginx: ['http_x_session_id'], apache: ['i:x-session-id'], w3c: ['cs-sessionid'] },
  request_id: {
    jsonl: ['request_id', 'req_id', 'requestId', 'x_request_id'],
    nginx: ['request_id', 'http_x_request_id', 'http_x_correlation_id'],
    apache: ['i:x-request-id', 'e:unique_id', 'L'],
    w3c: ['cs(x-request-id)', 'x-request-id'],
  },
  document: { jsonl: ['document', 'document_id'] },
} as const satisfies Record<string, Partial<Record<Dialect, readonly string[]>>>;

export type Dialect = 'jsonl' | 'nginx' | 'apache' | 'w3c';
export type AliasKey = keyof typeof ALIASES;

/** A dialect's names for a value; empty when it has none. */
export function aliasesOf(key: AliasKey, dialect: Dialect): readonly string[] {
  return (ALIASES[key] as Partial<Record<Dialect, readonly string[]>>)[dialect] ?? [];
}

/** The values a dialect has names for, in the table's order. */
export function aliasKeys(dialect: Dialect): AliasKey[] {
  return (Object.keys(ALIASES) as AliasKey[]).filter((k) => aliasesOf(k, dialect).length > 0);
}
