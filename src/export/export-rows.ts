/**
 * The rows an export writes, one per document request (with `--all`) or per counted unauthorized
 * access, from the temp tables analyzeCase leaves (`document_requests`, `findings`,
 * `unauthorized`), with the verdict, every detector that flagged the request and the provenance
 * the evidence pack gives (the case file holding the line now, its SHA-256, the raw line).
 * Each format turns these columns into one JSON object in SQL (src/export/*-record.ts).
 */

/** What the counting rules made of a request (README "Counting rules"), most specific first. */
export const VERDICTS = ['unauthorized_access', 'authorized', 'unknown_document', 'outside_window', 'not_counted', 'attempt', 'not_disclosed'] as const;

/** RE2 for an IP address as the client-IP rules write it (IPv4 dotted quad; compressed IPv6): a client kept "as written" is not one. */
const IPV4 = String.raw`((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`;
const H = '[0-9a-fA-F]{1,4}';
const IPV6 = [`(${H}:){7}${H}`, `(${H}:){1,7}:`, `(${H}:){1,6}:${H}`, `(${H}:){1,5}(:${H}){1,2}`, `(${H}:){1,4}(:${H}){1,3}`, `(${H}:){1,3}(:${H}){1,4}`, `(${H}:){1,2}(:${H}){1,5}`, `${H}:(:${H}){1,6}`, `:((:${H}){1,7}|:)`].join('|');
export const IP_RE = `^(${IPV4}|${IPV6})$`;

/** `flagged`: findingsByEvent(store), the detectors and reasons per event, built so that it spills. */
export function exportRowsSql(o: { readonly all: boolean; readonly hasSubjects: boolean; readonly flagged: string }): string {
  return `
WITH flagged AS (
  SELECT * FROM ${o.flagged}
), subject_counts AS (
  SELECT document_id, count(DISTINCT subject_id) AS n FROM subjects GROUP BY document_id
)
SELECT d.*, e.vhost, e.protocol,
  coalesce(f.detectors, []::VARCHAR[]) AS detectors, f.reason,
  u.event_id IS NOT NULL AS counted,
  CASE WHEN u.event_id IS NOT NULL THEN 'unauthorized_access'
       WHEN d.disclosure AND d.in_window AND d.known_document AND d.authorized_by IS NOT NULL THEN 'authorized'
       WHEN d.disclosure AND NOT d.known_document THEN 'unknown_document'
       WHEN d.disclosure AND NOT d.in_window THEN 'outside_window'
       WHEN d.disclosure THEN 'not_counted'
       WHEN d.attempt THEN 'attempt'
       ELSE 'not_disclosed' END AS verdict,
  ${o.hasSubjects ? 'coalesce(sc.n, 0)' : 'coalesce(len(d.owners), 0)'} AS subjects,
  coalesce(regexp_matches(d.client_ip, '${IP_RE}'), false) AS client_is_ip,
  fl.path AS file, fl.sha256 AS file_sha256, l.raw AS raw_line
FROM document_requests d
${o.all ? 'LEFT ' : ''}JOIN (SELECT event_id FROM unauthorized) u ON u.event_id = d.event_id
LEFT JOIN flagged f ON f.event_id = d.event_id
LEFT JOIN subject_counts sc ON sc.document_id = d.document
LEFT JOIN (SELECT event_id, vhost, protocol FROM events) e ON e.event_id = d.event_id
JOIN case_segments s ON s.file_id = d.file_id
JOIN case_chain_file fl ON fl.chain_id = s.chain_id
JOIN quoted_lines l ON l.file_id = d.file_id AND l.line = d.line`;
}

/** The order of the written lines: time, then file and line (as evidence.csv). */
export const EXPORT_ORDER = 'time, file, line';

/** Shared pieces of SQL over an export row. */
export const sql = {
  /** ISO 8601 UTC with milliseconds. */
  isoTime: `strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ')`,
  urlPath: `CASE WHEN path IS NOT NULL THEN split_part(path, '?', 1) END`,
  urlQuery: `CASE WHEN strpos(path, '?') > 0 THEN substr(path, strpos(path, '?') + 1) END`,
  /** The host without a port (a vhost logged as %v:%p). */
  domain: `regexp_replace(vhost, ':[0-9]+$', '')`,
  httpVersion: `CASE WHEN protocol LIKE 'HTTP/%' THEN substr(protocol, 6) END`,
  /** A readable sentence: what happened to whose document, for whom, from where. */
  message: `'document ' || document || ' (' || subjects || CASE WHEN subjects = 1 THEN ' person' ELSE ' people' END
      || coalesce('; owner ' || nullif(array_to_string(owners, ', '), ''), '') || ') '
      || CASE verdict
           WHEN 'unauthorized_access' THEN 'disclosed without authorization'
           WHEN 'authorized' THEN 'disclosed, authorized (' || authorized_by || ')'
           WHEN 'unknown_document' THEN 'disclosed; the document is not in the owners file'
           WHEN 'outside_window' THEN 'disclosed outside the window'
           WHEN 'not_counted' THEN 'disclosed; no disclosure detector counted it'
           WHEN 'attempt' THEN 'requested without success (an attempt)'
           ELSE 'requested, not disclosed' END
      || ' to ' || coalesce('account ' || account, 'an anonymous client') || ' from ' || coalesce(client_ip, 'an unknown address')
      || coalesce(': ' || method || ' ' || path || coalesce(' -> ' || status, ''), '')`,
  /** breachscope's own facts and the provenance, the same in every format. */
  facts: `json_object(
      'case', $case, 'tool_version', $version, 'verdict', verdict, 'counted', counted,
      'document', document, 'document_via', document_via, 'owners', owners, 'subjects', subjects, 'category', category,
      'detectors', detectors, 'reason', reason,
      'disclosure', disclosure, 'attempt', attempt, 'in_window', in_window, 'known_document', known_document, 'authorized_by', authorized_by,
      'client_ip', client_ip, 'socket_ip', socket_ip, 'forwarded_for', forwarded_for, 'account', account, 'account_via', account_via,
      'session', session, 'event_id', event_id, 'source', source, 'file', file, 'line', line, 'file_sha256', file_sha256)`,
};
