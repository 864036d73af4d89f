import { sql } from './export-rows.js';

/**
 * Timesketch's JSON lines import: `message`, `datetime` (ISO 8601 with an offset) and
 * `timestamp_desc` are required; `timestamp` is epoch microseconds. Web requests carry
 * `data_type: apache:access`, the data type Timesketch's Sigma mapping for `webserver` rules
 * looks for; every other field is flat, as Timesketch shows and searches them.
 */
export function timesketchRecordSql(): string {
  return `json_object(
    'message', ${sql.message},
    'datetime', strftime(time, '%Y-%m-%dT%H:%M:%S.%g+00:00'),
    'timestamp', epoch_us(time),
    'timestamp_desc', 'Request received',
    'data_type', CASE WHEN document_via = 'route' THEN 'apache:access' ELSE 'breachscope:document:access' END,
    'case', $case, 'tool_version', $version,
    'verdict', verdict, 'counted', counted, 'document', document, 'document_via', document_via, 'owners', owners,
    'subjects', subjects, 'category', category, 'detectors', detectors, 'reason', reason,
    'disclosure', disclosure, 'attempt', attempt, 'in_window', in_window, 'known_document', known_document, 'authorized_by', authorized_by,
    'client_ip', client_ip, 'socket_ip', socket_ip, 'forwarded_for', forwarded_for, 'account', account, 'account_via', account_via,
    'method', method, 'path', path, 'status', status, 'bytes', bytes, 'user_agent', user_agent, 'referer', referer,
    'vhost', vhost, 'request_id', request_id, 'session', session,
    'event_id', event_id, 'source', source, 'file', file, 'line', line, 'file_sha256', file_sha256, 'raw_line', raw_line)`;
}
