import { sql } from './export-rows.js';

/** The OCSF schema release the records are written to (and tested against: ../shared/schemas/ocsf). */
export const OCSF_VERSION = '1.9.0-dev';
const HTTP_ACTIVITY = 4002;
const NETWORK_CATEGORY = 4;

/** HTTP Activity's activity_id enum, in order from 1 (events/network/http_activity.json): method and caption. */
const ACTIVITIES = [
  ['CONNECT', 'Connect'], ['DELETE', 'Delete'], ['GET', 'Get'], ['HEAD', 'Head'], ['OPTIONS', 'Options'], ['POST', 'Post'],
  ['PUT', 'Put'], ['TRACE', 'Trace'], ['PATCH', 'Patch'], ['ACL', 'ACL'], ['BASELINE-CONTROL', 'Baseline Control'], ['BIND', 'Bind'],
  ['CHECKIN', 'Check In'], ['CHECKOUT', 'Check Out'], ['COPY', 'Copy'], ['LABEL', 'Label'], ['LINK', 'Link'], ['LOCK', 'Lock'],
  ['MERGE', 'Merge'], ['MKACTIVITY', 'Make Activity'], ['MKCALENDAR', 'Make Calendar'], ['MKCOL', 'Make Collection'],
  ['MKREDIRECTREF', 'Make Redirect Reference'], ['MKWORKSPACE', 'Make Workspace'], ['MOVE', 'Move'], ['ORDERPATCH', 'Order Patch'],
  ['PRI', 'PRI'], ['PROPFIND', 'Property Find'], ['PROPPATCH', 'Property Patch'], ['QUERY', 'Query'], ['REBIND', 'Rebind'],
  ['REPORT', 'Report'], ['SEARCH', 'Search'], ['UNBIND', 'Unbind'], ['UNCHECKOUT', 'Un-Check Out'], ['UNLINK', 'Unlink'],
  ['UNLOCK', 'Unlock'], ['UPDATE', 'Update'], ['UPDATEREDIRECTREF', 'Update Redirect Reference'], ['VERSION-CONTROL', 'Version Control'],
] as const;

/** 0 Unknown without a method, 99 Other for a method the enum does not list (the base event's values). */
const activityId = `CASE upper(method) ${ACTIVITIES.map(([m], i) => `WHEN '${m}' THEN ${i + 1}`).join(' ')} WHEN NULL THEN 0 ELSE CASE WHEN method IS NULL THEN 0 ELSE 99 END END`;
const activityName = `CASE upper(method) ${ACTIVITIES.map(([m, c]) => `WHEN '${m}' THEN '${c}'`).join(' ')} ELSE CASE WHEN method IS NULL THEN 'Unknown' ELSE 'Other' END END`;
/** High for a counted unauthorized access, Medium for another request a detector flagged, else Informational. */
const severityId = `CASE WHEN counted THEN 4 WHEN len(detectors) > 0 THEN 3 ELSE 1 END`;
const severity = `CASE WHEN counted THEN 'High' WHEN len(detectors) > 0 THEN 'Medium' ELSE 'Informational' END`;

/**
 * OCSF HTTP Activity (class 4002). breachscope's own facts and the provenance go under `unmapped`,
 * the attribute OCSF provides for source data without an OCSF attribute; the raw line is `raw_data`.
 */
export function ocsfRecordSql(): string {
  return `json_object(
    'class_uid', ${HTTP_ACTIVITY}, 'class_name', 'HTTP Activity',
    'category_uid', ${NETWORK_CATEGORY}, 'category_name', 'Network Activity',
    'activity_id', ${activityId}, 'activity_name', ${activityName},
    'type_uid', ${HTTP_ACTIVITY * 100} + ${activityId}, 'type_name', 'HTTP Activity: ' || ${activityName},
    'severity_id', ${severityId}, 'severity', ${severity},
    'time', epoch_ms(time), 'timezone_offset', 0,
    'message', ${sql.message},
    'metadata', json_object('product', json_object('name', 'breachscope', 'vendor_name', 'breachscope', 'version', $version), 'version', '${OCSF_VERSION}',
      'log_name', source, 'original_time', ${sql.isoTime},
      -- actor comes from the host profile, which a record names when it uses it.
      'profiles', CASE WHEN account IS NOT NULL THEN ['host'] END),
    'http_request', CASE WHEN method IS NOT NULL OR path IS NOT NULL OR user_agent IS NOT NULL OR request_id IS NOT NULL THEN json_object(
      'http_method', method,
      'url', CASE WHEN path IS NOT NULL THEN json_object('url_string', path, 'path', ${sql.urlPath}, 'query_string', ${sql.urlQuery}, 'hostname', ${sql.domain}) END,
      'user_agent', user_agent, 'referrer', nullif(referer, '-'), 'uid', request_id, 'version', protocol) END,
    'http_response', CASE WHEN status IS NOT NULL THEN json_object('code', status, 'body_length', bytes) END,
    'src_endpoint', CASE WHEN client_ip IS NOT NULL THEN CASE WHEN client_is_ip THEN json_object('ip', client_ip) ELSE json_object('hostname', client_ip) END END,
    'dst_endpoint', CASE WHEN client_ip IS NULL THEN json_object('svc_name', source) WHEN vhost IS NOT NULL THEN json_object('hostname', ${sql.domain}) END,
    'actor', CASE WHEN account IS NOT NULL THEN json_object('user', json_object('name', account)) END,
    'raw_data', raw_line,
    'unmapped', json_object('breachscope', ${sql.facts}))`;
}
