-- title: Document id enumeration
-- description: Detects one actor (account, or client IP when anonymous) requesting many distinct documents it does not own within a short time, or walking through consecutive document ids.
-- level: medium
-- status: stable
-- counts_as: context
-- tags: [idor, enumeration, reconnaissance]
-- falsepositive: Staff or batch jobs that review many documents (add them to authorized.accounts); a shared NAT address for many anonymous users.
-- param: window_minutes (integer 1..525600) = 10 | minutes a burst of distinct documents may span
-- param: min_documents (integer 1..1000000) = 5 | distinct documents not its own within the window that make a burst
-- param: min_sequential (integer 2..1000000) = 3 | consecutive ids (same prefix, numbers one apart) that make a walk
WITH r AS (
  SELECT *,
    coalesce(account, client_ip) AS actor,
    CASE WHEN account IS NOT NULL THEN 'Account ' ELSE 'Anonymous client ' END AS actor_kind,
    try_cast(regexp_extract(document, '([0-9]{1,30})$', 1) AS HUGEINT) AS doc_number,
    regexp_replace(document, '[0-9]+$', '') AS doc_prefix
  FROM document_requests
  WHERE in_window
    AND authorized_by IS NULL
    AND NOT coalesce(list_contains(owners, account), false)
    AND coalesce(account, client_ip) IS NOT NULL
), w AS (
  SELECT *,
    count(DISTINCT document) OVER (
      PARTITION BY actor ORDER BY time
      RANGE BETWEEN to_minutes(CAST($window_minutes AS BIGINT)) PRECEDING AND CURRENT ROW
    ) AS docs_in_window,
    lag(doc_number) OVER (PARTITION BY actor ORDER BY time, event_id) AS prev_number,
    lag(doc_prefix) OVER (PARTITION BY actor ORDER BY time, event_id) AS prev_prefix
  FROM r
), s AS (
  SELECT *,
    coalesce(abs(doc_number - prev_number) = 1 AND doc_prefix = prev_prefix, false) AS step
  FROM w
), runs AS (
  SELECT *, sum(CASE WHEN step THEN 0 ELSE 1 END) OVER (PARTITION BY actor ORDER BY time, event_id) AS run_id
  FROM s
), sized AS (
  SELECT *, count(*) OVER (PARTITION BY actor, run_id) AS run_length
  FROM runs
)
SELECT
  event_id,
  document,
  actor,
  client_ip,
  time AS event_time,
  actor_kind || actor || ' requested document ' || document || ' (' || coalesce(method, '?') || ' ' || coalesce(status::VARCHAR, '?') || ') at '
    || strftime(time, '%Y-%m-%dT%H:%M:%SZ') || ': '
    || CASE WHEN docs_in_window >= $min_documents
         THEN docs_in_window || ' distinct documents not its own within ' || $window_minutes || ' minutes'
         ELSE '' END
    || CASE WHEN docs_in_window >= $min_documents AND run_length >= $min_sequential THEN '; ' ELSE '' END
    || CASE WHEN run_length >= $min_sequential
         THEN 'part of a walk through ' || run_length || ' consecutive ids'
         ELSE '' END
    || '.' AS reason,
  docs_in_window,
  run_length,
  status
FROM sized
WHERE docs_in_window >= $min_documents OR run_length >= $min_sequential
