-- title: Cross-account document access
-- description: Detects a signed-in account receiving (2xx, not HEAD/OPTIONS) a document that another account owns, inside the window, with no ownership, grant, authorized account or authorized network behind it.
-- level: high
-- status: stable
-- counts_as: disclosure
-- tags: [idor, broken-access-control, gdpr-art-33]
-- falsepositive: An owners file that is out of date (the document changed hands); a support account missing from authorized.accounts.
SELECT
  event_id,
  document,
  account AS actor,
  client_ip,
  time AS event_time,
  'Account ' || account || ' received document ' || document || ', owned by ' || array_to_string(owners, ', ')
    || ' (' || method || ' ' || status || ') from ' || coalesce(client_ip, 'an unknown address')
    || ' at ' || strftime(time, '%Y-%m-%dT%H:%M:%SZ') || '; account from ' || account_via || '.' AS reason,
  account_via,
  owners,
  method,
  path,
  status
FROM document_requests
WHERE disclosure
  AND in_window
  AND known_document
  AND account IS NOT NULL
  AND authorized_by IS NULL
