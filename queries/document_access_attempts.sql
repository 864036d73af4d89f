-- title: Refused document requests
-- description: Detects requests for documents that were refused (401, 403, 404) inside the window, per actor, and marks bursts of refusals.
-- level: low
-- status: stable
-- counts_as: attempt
-- tags: [idor, enumeration, failed-access]
-- falsepositive: Expired links and deleted documents (404) requested by their own owners.
-- param: burst_minutes (integer 1..525600) = 10 | minutes a burst of refusals may span
-- param: burst_min (integer 1..1000000) = 5 | refusals from one actor within burst_minutes that make a burst
WITH a AS (
  SELECT *,
    coalesce(account, client_ip) AS actor,
    count(*) OVER (
      PARTITION BY coalesce(account, client_ip) ORDER BY time
      RANGE BETWEEN to_minutes(CAST($burst_minutes AS BIGINT)) PRECEDING AND CURRENT ROW
    ) AS recent
  FROM document_requests
  WHERE attempt AND in_window
)
SELECT
  event_id,
  document,
  actor,
  client_ip,
  time AS event_time,
  CASE WHEN account IS NOT NULL THEN 'Account ' || account ELSE 'An anonymous request from ' || coalesce(client_ip, 'an unknown address') END
    || ' was refused document ' || document || ' (' || coalesce(method, '?') || ' ' || status || ') at ' || strftime(time, '%Y-%m-%dT%H:%M:%SZ')
    || CASE WHEN recent >= $burst_min THEN '; ' || recent || ' refusals from it within ' || $burst_minutes || ' minutes (burst)' ELSE '' END
    || '.' AS reason,
  recent >= $burst_min AS burst,
  status,
  method,
  path
FROM a
