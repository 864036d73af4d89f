-- title: Anonymous document access
-- description: Detects a document served (2xx, not HEAD/OPTIONS) inside the window to a request with no account, from outside the authorized networks.
-- level: high
-- status: stable
-- counts_as: disclosure
-- tags: [idor, missing-authentication, gdpr-art-33]
-- falsepositive: A public document listed in the owners file; an identity source that does not cover every request (the account exists but was not logged).
SELECT
  event_id,
  document,
  client_ip AS actor,
  client_ip,
  time AS event_time,
  'An anonymous request from ' || coalesce(client_ip, 'an unknown address') || ' received document ' || document
    || ', owned by ' || array_to_string(owners, ', ') || ' (' || method || ' ' || status || ') at '
    || strftime(time, '%Y-%m-%dT%H:%M:%SZ') || '.' AS reason,
  owners,
  method,
  path,
  status
FROM document_requests
WHERE disclosure
  AND in_window
  AND known_document
  AND account IS NULL
  AND authorized_by IS NULL
