-- id: sensitive-api-first-use
-- title: A principal used a sensitive API it had not used in the lookback
-- severity: medium
-- kind: correlation
-- lookback: 14d
-- tactics: TA0006, TA0009, TA0003
-- techniques: T1555.006, T1530, T1098
-- description: A principal active for at least a day made its first call in the lookback of one of: reading a Secrets Manager secret (GetSecretValue, BatchGetSecretValue), reading SSM parameters with decryption, KMS Decrypt, an IAM write (anything but Get/List/Generate/Simulate/Tag), or reading objects of an S3 bucket it had not read from (GetObject, CopyObject; needs S3 data events). Denied calls count: trying is the behaviour. One finding per principal and kind of call. Elastic's new-terms rules on event.action per user.
-- falsepositives: A new feature that reads a secret, an administrator's first IAM change of the month, a job reading a new bucket; suppress by principal.
-- runbook: Check whether the principal's owner meant to make the call (a deployment, a ticket); if not, revoke the credentials, rotate what was read, and review the session.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH activity AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           from_iso8601_timestamp(eventtime) AS event_at,
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                     AND NOT regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/')
                THEN coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)
                ELSE coalesce(useridentity.arn, concat(coalesce(recipientaccountid, ''), ':', coalesce(useridentity.principalid, useridentity.username, ''))) END AS who,
           CASE WHEN eventsource = 'secretsmanager.amazonaws.com' AND eventname IN ('GetSecretValue', 'BatchGetSecretValue') THEN 'secret read'
                WHEN eventsource = 'ssm.amazonaws.com' AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
                     AND lower(coalesce(json_extract_scalar(requestparameters, '$.withDecryption'), '')) = 'true' THEN 'SSM parameter decrypted'
                WHEN eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt' THEN 'KMS Decrypt'
                WHEN eventsource = 'iam.amazonaws.com' AND NOT regexp_like(eventname, '^(Get|List|Generate|Simulate|Tag|Untag)') THEN 'IAM write'
                WHEN eventsource = 's3.amazonaws.com' AND eventname IN ('GetObject', 'CopyObject')
                     THEN concat('read of bucket ', coalesce(json_extract_scalar(requestparameters, '$.bucketName'), '?'))
           END AS sensitive
    FROM cloudtrail
    WHERE (${history} OR ${window})
      -- Services decrypting or reading on a principal's behalf (S3 with SSE-KMS, Lambda reading its environment) are not the principal's choice.
      AND useridentity.invokedby IS NULL
      AND coalesce(sourceipaddress, '') NOT LIKE '%amazonaws.com'
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
), active_days AS (
    -- The days the principal was active, each with the one before: its baseline is an earlier day inside the lookback.
    SELECT who, day, lag(day) OVER (PARTITION BY who ORDER BY day) AS previous_day
    FROM (SELECT DISTINCT who, substr(eventtime, 1, 10) AS day FROM activity) days
), sequenced AS (
    SELECT a.*, lag(a.event_at) OVER (PARTITION BY a.who, a.sensitive ORDER BY a.event_at, a.eventid) AS previous_at, d.previous_day
    FROM activity a
    JOIN active_days d ON d.who = a.who AND d.day = substr(a.eventtime, 1, 10)
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat('first ', sensitive, ' by ', who, ' in the lookback', CASE WHEN errorcode IS NOT NULL THEN concat(' (', errorcode, ')') ELSE '' END,
              '; principal also active on ', previous_day) AS detail
FROM sequenced
WHERE sensitive IS NOT NULL
  AND event_at >= from_iso8601_timestamp('${since}')
  AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
  -- A baseline: the principal was active on an earlier day inside the lookback (a new or long-dormant one has none).
  AND previous_day IS NOT NULL
  AND previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
ORDER BY eventtime
