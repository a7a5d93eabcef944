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
WITH activity AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           from_iso8601_timestamp(eventtime) AS event_at,
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
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
), sequenced AS (
    SELECT *, lag(event_at) OVER (PARTITION BY who, sensitive ORDER BY event_at, eventid) AS previous_at,
           min(event_at) OVER (PARTITION BY who) AS principal_first_at
    FROM activity
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat('first ', sensitive, ' by ', who, ' in the lookback', CASE WHEN errorcode IS NOT NULL THEN concat(' (', errorcode, ')') ELSE '' END,
              '; principal active since ', CAST(principal_first_at AS varchar)) AS detail
FROM sequenced
WHERE sensitive IS NOT NULL
  AND event_at >= from_iso8601_timestamp('${since}')
  AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
  AND principal_first_at <= event_at - INTERVAL '1' DAY
ORDER BY eventtime
