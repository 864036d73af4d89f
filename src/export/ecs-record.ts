import { sql } from './export-rows.js';

/** The ECS release the records are written to (and tested against: ../shared/schemas/ecs). */
export const ECS_VERSION = '9.5.0-dev';

/**
 * Elastic Common Schema, nested as Elasticsearch stores it. Fields with an ECS meaning use it;
 * breachscope's own facts (verdict, owners, detectors, provenance) go under `breachscope`, a
 * namespace ECS leaves to custom fields, so that no future ECS field collides with them.
 */
export function ecsRecordSql(): string {
  return `json_object(
    '@timestamp', ${sql.isoTime},
    'message', ${sql.message},
    'ecs', json_object('version', '${ECS_VERSION}'),
    'event', json_object(
      'kind', CASE WHEN len(detectors) > 0 THEN 'alert' ELSE 'event' END,
      'category', ['web'], 'type', ['access'],
      'outcome', CASE WHEN status IS NULL THEN 'unknown' WHEN status < 400 THEN 'success' ELSE 'failure' END,
      'dataset', 'breachscope.document_requests',
      'reason', reason,
      'original', raw_line),
    'source', CASE WHEN client_ip IS NOT NULL THEN json_object('ip', CASE WHEN client_is_ip THEN client_ip END, 'address', client_ip) END,
    'http', CASE WHEN method IS NOT NULL OR status IS NOT NULL THEN json_object(
      'version', ${sql.httpVersion},
      'request', json_object('method', method, 'id', request_id, 'referrer', nullif(referer, '-')),
      'response', json_object('status_code', status, 'body', CASE WHEN bytes IS NOT NULL THEN json_object('bytes', bytes) END)) END,
    'url', CASE WHEN path IS NOT NULL THEN json_object('original', path, 'path', ${sql.urlPath}, 'query', ${sql.urlQuery}, 'domain', ${sql.domain}) END,
    'user_agent', CASE WHEN user_agent IS NOT NULL THEN json_object('original', user_agent) END,
    'user', CASE WHEN account IS NOT NULL THEN json_object('name', account) END,
    'log', json_object('file', json_object('path', file)),
    'breachscope', ${sql.facts})`;
}
