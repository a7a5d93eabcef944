-- id: secrets-retrieved-in-bulk
-- title: Many Secrets Manager secrets retrieved by one principal
-- severity: high
-- kind: threshold
-- tactics: TA0006
-- techniques: T1555.006
-- description: One principal read the values of many distinct secrets (GetSecretValue per secret, or BatchGetSecretValue for a list or a filter) within the window: the harvesting step after a foothold (Stratus Red Team secretsmanager-retrieve-secrets / -batch-retrieve-secrets). Denied reads count too: trying every secret is the same behaviour.
-- falsepositives: Secret-rotation or migration jobs, a deployment tool that copies every secret into a new environment, backup tools.
-- runbook: Identify the session (principal, access key, source IP); list which secrets were read and rotate them; if the principal should not read them, revoke its sessions and narrow its policy.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH reads AS (
    -- The columns used, not *: the engine materialises this CTE (read more than once).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           requestparameters, coalesce(useridentity.arn, useridentity.principalid) AS who
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'secretsmanager.amazonaws.com'
      AND eventname IN ('GetSecretValue', 'BatchGetSecretValue')
      AND (errorcode IS NULL OR errorcode LIKE '%AccessDenied%')
      -- AWS services that fetch a secret for a principal (ECS task start, RDS proxy) name themselves here.
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND useridentity.invokedby IS NULL
), batches AS (
    -- A filter selects an unknown number of secrets (up to 20 a page): it counts as a whole bulk read.
    SELECT DISTINCT eventid, who, coalesce(json_array_length(json_extract(requestparameters, '$.secretIdList')), 5) AS secrets
    FROM reads
    WHERE eventname = 'BatchGetSecretValue'
), single_reads AS (
    SELECT who, count(DISTINCT json_extract_scalar(requestparameters, '$.secretId')) AS secrets
    FROM reads
    GROUP BY who
), batch_reads AS (
    SELECT who, sum(secrets) AS secrets
    FROM batches
    GROUP BY who
), per_principal AS (
    SELECT s.who, s.secrets + coalesce(b.secrets, 0) AS secrets
    FROM single_reads s
    LEFT JOIN batch_reads b ON s.who = b.who
)
SELECT r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal,
       r.sourceipaddress, r.useragent, r.eventid,
       concat(coalesce(json_extract_scalar(r.requestparameters, '$.secretId'), 'batch'), ' (', CAST(p.secrets AS varchar), ' secrets by this principal',
              CASE WHEN r.errorcode IS NULL THEN '' ELSE concat(', denied: ', r.errorcode) END, ')') AS detail
FROM reads r
JOIN per_principal p ON r.who = p.who
-- Five distinct secrets: an application reads its own one or two at start-up and a person a few by hand;
-- the attack tools read every secret they can list (Stratus creates 20).
WHERE p.secrets >= 5
ORDER BY r.eventtime
