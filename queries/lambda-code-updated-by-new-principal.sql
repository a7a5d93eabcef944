-- id: lambda-code-updated-by-new-principal
-- title: Lambda function code or configuration replaced by a principal other than its deployer
-- severity: high
-- kind: correlation
-- lookback: 14d
-- tactics: TA0003, TA0002
-- techniques: T1648, T1525
-- description: UpdateFunctionCode or UpdateFunctionConfiguration (any API version suffix, e.g. UpdateFunctionCode20150331v2) changed a function, and the caller had not created or deployed that function in the lookback while another principal had: code or environment swapped outside the usual pipeline (Stratus Red Team lambda-overwrite-code; backdoored functions in Permiso's and Invictus' write-ups). The deployer is learnt from the lake: the principals (a role across all its sessions) that created, updated or published the function in the lookback before. Functions nobody deployed in the lookback are not judged. Denied attempts count.
-- falsepositives: A new pipeline role, or a person hot-fixing a function the pipeline owns; suppress a second deployer by principal.
-- runbook: Compare the new code's hash (codeSha256 in the response) or configuration with the pipeline's; if foreign, roll back to the previous version, revoke the caller, and check the function's role for what the code could reach.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH deployments AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           from_iso8601_timestamp(eventtime) AS event_at,
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                     AND NOT regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/')
                THEN coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)
                ELSE coalesce(useridentity.arn, useridentity.principalid) END AS who,
           -- functionName may be a name, a full ARN or a partial ARN; the response, when present, names it.
           coalesce(json_extract_scalar(responseelements, '$.functionName'),
                    regexp_extract(json_extract_scalar(requestparameters, '$.functionName'), '([^:]+)$', 1)) AS function_name
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND eventsource = 'lambda.amazonaws.com'
      -- Lambda logs its API version in the name: CreateFunction20150331, UpdateFunctionCode20150331v2.
      AND regexp_like(eventname, '^(CreateFunction|UpdateFunctionCode|UpdateFunctionConfiguration|PublishVersion)')
      AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden'))
), updates AS (
    SELECT * FROM deployments
    WHERE regexp_like(eventname, '^(UpdateFunctionCode|UpdateFunctionConfiguration)')
      AND event_at >= from_iso8601_timestamp('${since}')
), judged AS (
    -- Successful deployments of the function in the lookback before each update: by its principal, by others. Counted per
    -- function, principal and instant, not per update row: grouping the pairs by the rows' twelve columns was most of the time.
    SELECT u.account, u.region, u.function_name, u.who, u.event_at,
           count_if(d.who = u.who AND d.errorcode IS NULL) AS own_deployments,
           count_if(d.who <> u.who AND d.errorcode IS NULL) AS other_deployments,
           max(CASE WHEN d.who <> u.who AND d.errorcode IS NULL THEN d.who END) AS deployer
    FROM (SELECT DISTINCT account, region, function_name, who, event_at FROM updates) u
    JOIN deployments d
      ON d.account = u.account AND d.region = u.region AND d.function_name = u.function_name
     AND d.event_at < u.event_at AND d.event_at >= u.event_at - ${lookback}
    GROUP BY u.account, u.region, u.function_name, u.who, u.event_at
), judged_updates AS (
    SELECT DISTINCT u.eventtime, u.account, u.region, u.eventsource, u.eventname, u.principal, u.sourceipaddress, u.useragent, u.eventid, u.errorcode,
           u.function_name, u.who, j.deployer
    FROM updates u
    JOIN judged j ON j.account = u.account AND j.region = u.region AND j.function_name = u.function_name AND j.who = u.who AND j.event_at = u.event_at
    WHERE j.own_deployments = 0 AND j.other_deployments > 0
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(coalesce(function_name, '?'), CASE WHEN eventname LIKE 'UpdateFunctionCode%' THEN ' code' ELSE ' configuration' END,
              ' replaced by ', who, CASE WHEN errorcode IS NOT NULL THEN concat(' (attempt failed: ', errorcode, ')') ELSE '' END,
              '; deployed in the lookback by ', deployer, ' and never by this principal') AS detail
FROM judged_updates
ORDER BY eventtime
