-- id: lambda-code-updated-by-new-principal
-- title: Lambda function code replaced by a principal new to the function
-- severity: high
-- kind: correlation
-- tactics: TA0003, TA0002
-- techniques: T1648, T1525
-- description: UpdateFunctionCode replaced a function's code, and the caller had not created or deployed that function earlier in the window while another principal had: code swapped outside the usual pipeline (Stratus Red Team lambda-overwrite-code). First-seen is per function within the window; functions with no earlier deployment in the window are not judged.
-- falsepositives: A new pipeline role or a person hot-fixing a function the pipeline owns; the first deployment by a new CI role.
-- runbook: Compare the new code's hash (codeSha256 in the response) with the pipeline's artefact; if foreign, roll back to the previous version and revoke the caller.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH deployments AS (
    SELECT *, coalesce(useridentity.arn, useridentity.principalid) AS who, from_iso8601_timestamp(eventtime) AS event_at,
           -- functionName may be a name, a full ARN or a partial ARN; the response, when present, names it.
           coalesce(json_extract_scalar(responseelements, '$.functionName'),
                    regexp_extract(json_extract_scalar(requestparameters, '$.functionName'), '([^:]+)$', 1)) AS function_name
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'lambda.amazonaws.com'
      -- Lambda logs its API version in the name: CreateFunction20150331, UpdateFunctionCode20150331v2.
      AND regexp_like(eventname, '^(CreateFunction|UpdateFunctionCode|UpdateFunctionConfiguration|PublishVersion)')
      AND errorcode IS NULL
), first_by AS (
    SELECT account, region, function_name, who, min(event_at) AS first_at
    FROM deployments
    GROUP BY account, region, function_name, who
), first_of_function AS (
    SELECT account, region, function_name, min(event_at) AS first_at
    FROM deployments
    GROUP BY account, region, function_name
)
SELECT d.eventtime, d.account, d.region, d.eventsource, d.eventname, d.useridentity.arn AS principal, d.sourceipaddress, d.useragent, d.eventid,
       concat(coalesce(d.function_name, '?'), ' code replaced; deployed by others since ', CAST(f.first_at AS varchar)) AS detail
FROM deployments d
JOIN first_by b ON d.account = b.account AND d.region = b.region AND d.function_name = b.function_name AND d.who = b.who
JOIN first_of_function f ON d.account = f.account AND d.region = f.region AND d.function_name = f.function_name
WHERE d.eventname LIKE 'UpdateFunctionCode%'
  -- This principal's first touch of the function is this update, and someone else touched it before.
  AND d.event_at = b.first_at
  AND f.first_at < b.first_at
ORDER BY d.eventtime
