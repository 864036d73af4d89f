/**
 * The event schema, written once: every column of `events` with its type and meaning. The store's
 * DDL and column comments, the columns a format's SQL returns, the case file's `fields:` names and
 * the INSERT of parsed rows are all derived from this list.
 */

interface Column {
  readonly type: 'BIGINT' | 'INTEGER' | 'VARCHAR' | 'TIMESTAMPTZ';
  readonly meaning: string;
  /** `provenance`: set by ingest; `parsed`: returned by a format's SQL; `field` also: a case file's `fields:` map may name it. */
  readonly kind: 'provenance' | 'parsed' | 'field';
}

export const EVENT_COLUMNS = {
  event_id: { type: 'BIGINT', kind: 'provenance', meaning: 'file_id * 1e12 + line: stable, and names its file and line' },
  file_id: { type: 'INTEGER', kind: 'provenance', meaning: 'the stored segment (files.file_id) the line was read from' },
  line: { type: 'BIGINT', kind: 'provenance', meaning: "the line's number in its content, 1-based, blank lines counted" },
  source: { type: 'VARCHAR', kind: 'provenance', meaning: 'the case source that read it' },
  role: { type: 'VARCHAR', kind: 'provenance', meaning: 'access (a request) or identity (lends accounts to requests)' },
  time: { type: 'TIMESTAMPTZ', kind: 'field', meaning: 'when the request was received, as an instant' },
  client_ip: { type: 'VARCHAR', kind: 'field', meaning: 'the socket address as logged' },
  forwarded_for: { type: 'VARCHAR', kind: 'field', meaning: 'the X-Forwarded-For list as logged' },
  vhost: { type: 'VARCHAR', kind: 'parsed', meaning: 'the virtual host or server name' },
  method: { type: 'VARCHAR', kind: 'field', meaning: 'the HTTP method' },
  path: { type: 'VARCHAR', kind: 'field', meaning: 'path and query as requested' },
  protocol: { type: 'VARCHAR', kind: 'parsed', meaning: 'the HTTP version of the request line' },
  status: { type: 'INTEGER', kind: 'field', meaning: 'the response status; NULL when no response was sent' },
  bytes: { type: 'BIGINT', kind: 'field', meaning: 'response body bytes' },
  user_agent: { type: 'VARCHAR', kind: 'field', meaning: 'the User-Agent header (client-written)' },
  referer: { type: 'VARCHAR', kind: 'field', meaning: 'the Referer header (client-written)' },
  account: { type: 'VARCHAR', kind: 'field', meaning: 'the signed-in account as logged (%u is client-chosen on nginx)' },
  session: { type: 'VARCHAR', kind: 'field', meaning: 'a session id, to join an identity source by session' },
  request_id: { type: 'VARCHAR', kind: 'field', meaning: 'a request id, to join an identity source by request' },
  document: { type: 'VARCHAR', kind: 'field', meaning: 'the document an application audit record names itself' },
} as const satisfies Record<string, Column>;

export type EventColumn = keyof typeof EVENT_COLUMNS;
type FieldColumn = { [K in EventColumn]: (typeof EVENT_COLUMNS)[K]['kind'] extends 'field' ? K : never }[EventColumn];

const names = Object.keys(EVENT_COLUMNS) as EventColumn[];
const kindOf = (c: EventColumn): Column['kind'] => EVENT_COLUMNS[c].kind;

/** Columns a format's SQL fills, in order (then `reject_reason`, NULL for a parsed line). */
export const EVENT_VALUE_COLUMNS = names.filter((c) => kindOf(c) !== 'provenance');

/** The columns a format's SQL returns: the event values and the reason a line is rejected. */
export const PARSED_COLUMNS = [...EVENT_VALUE_COLUMNS, 'reject_reason'] as const;

/** Event fields a case file's `fields:` map (jsonl) can name; a tuple for the case file's schema. */
export const EVENT_FIELDS = names.filter((c) => kindOf(c) === 'field') as unknown as readonly [FieldColumn, ...FieldColumn[]];
export type EventField = FieldColumn;

/** `CREATE TABLE events` and a comment on each column (the store describes itself to anyone who opens it). */
export function eventsDdl(): string {
  const columns = names.map((c) => `  ${c} ${EVENT_COLUMNS[c].type}${kindOf(c) === 'provenance' ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS events (\n${columns.join(',\n')}\n);\n`;
}

export function eventsComments(): string {
  return names.map((c) => `COMMENT ON COLUMN events.${c} IS '${EVENT_COLUMNS[c].meaning.replaceAll("'", "''")}';`).join('\n');
}

/** Rejected lines shown per file; all of them stay in the store's `rejects` table. */
export const REJECT_EXAMPLES = 20;
