-- title: Served documents missing from the owners file
-- description: Detects documents served (2xx, not HEAD/OPTIONS) inside the window whose id is not in the owners file; they are not counted, because nobody can say whose they are.
-- level: medium
-- status: stable
-- counts_as: context
-- tags: [coverage, owners-file]
-- falsepositive: Ids that are not documents (a route pattern that is too broad); documents deliberately left out of the owners file.
SELECT
  event_id,
  document,
  coalesce(account, client_ip) AS actor,
  client_ip,
  time AS event_time,
  'Document ' || document || ' was served (' || method || ' ' || status || ') to '
    || coalesce('account ' || account, 'an anonymous request from ' || client_ip, 'an unknown client')
    || ' at ' || strftime(time, '%Y-%m-%dT%H:%M:%SZ') || ', but it is not in the owners file: its owner is unknown, so it is not counted.' AS reason,
  method,
  path,
  status
FROM document_requests
WHERE disclosure
  AND in_window
  AND NOT known_document
