-- id: role-assumed-first-time-then-data-read
-- title: A role assumed for the first time, and its session read data or secrets within the hour
-- severity: high
-- kind: correlation
-- lookback: 14d
-- tactics: TA0008, TA0009, TA0006
-- techniques: T1550.001, T1530, T1555.006
-- description: A caller assumed a role it had not assumed in the lookback, and within the hour the session those credentials opened read data: S3 objects (GetObject, CopyObject, listings), Secrets Manager secrets, SSM parameters with decryption or KMS Decrypt. The chain of a user walking into a misconfigured role and downloading what it can reach (Panther's and Elastic's correlation rules of role assumption followed by collection). The session is followed by the access key AssumeRole returned, else by its ARN. Returns the AssumeRole and the session's first read.
-- falsepositives: A person starting on a team and fetching its data; a new job's first run. Both repeat and stop being new after the first day.
-- runbook: Check whether the caller should reach that role; if not, revoke the role's sessions, narrow its trust policy, list what the session read (npm run investigate) and rotate the secrets among it.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH assumes AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           from_iso8601_timestamp(eventtime) AS event_at,
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                     AND NOT regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/')
                THEN coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)
                ELSE coalesce(useridentity.arn, concat(coalesce(useridentity.accountid, ''), ':', coalesce(useridentity.principalid, ''))) END AS who,
           json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,
           json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS session_key,
           json_extract_scalar(responseelements, '$.assumedRoleUser.arn') AS session_arn
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND eventsource = 'sts.amazonaws.com'
      AND eventname = 'AssumeRole'
      AND errorcode IS NULL
      AND useridentity.invokedby IS NULL
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
      AND coalesce(sourceipaddress, '') NOT LIKE '%amazonaws.com'
), role_days AS (
    -- The days each role was assumed and each caller assumed roles, each with the one before: a baseline is an earlier day inside the lookback.
    SELECT role_arn, day, lag(day) OVER (PARTITION BY role_arn ORDER BY day) AS role_previous_day
    FROM (SELECT DISTINCT role_arn, substr(eventtime, 1, 10) AS day FROM assumes) days
), caller_days AS (
    SELECT who, day, lag(day) OVER (PARTITION BY who ORDER BY day) AS caller_previous_day
    FROM (SELECT DISTINCT who, substr(eventtime, 1, 10) AS day FROM assumes) days
), first_assumes AS (
    SELECT * FROM (
        SELECT a.*, lag(a.event_at) OVER (PARTITION BY a.who, a.role_arn ORDER BY a.event_at, a.eventid) AS previous_at,
               r.role_previous_day, c.caller_previous_day
        FROM assumes a
        JOIN role_days r ON r.role_arn = a.role_arn AND r.day = substr(a.eventtime, 1, 10)
        JOIN caller_days c ON c.who = a.who AND c.day = substr(a.eventtime, 1, 10)
    ) sequenced
    WHERE event_at >= from_iso8601_timestamp('${since}')
      AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
      AND (role_previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
           OR caller_previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10))
), data_reads AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           from_iso8601_timestamp(eventtime) AS event_at, useridentity.accesskeyid AS session_key, useridentity.arn AS session_arn,
           coalesce(json_extract_scalar(requestparameters, '$.bucketName'), json_extract_scalar(requestparameters, '$.secretId'),
                    json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.path'), '') AS target
    FROM cloudtrail
    WHERE ${window}
      AND ((eventsource = 's3.amazonaws.com' AND eventname IN ('GetObject', 'CopyObject', 'ListObjects', 'ListObjectsV2', 'ListBucket'))
           OR (eventsource = 'secretsmanager.amazonaws.com' AND eventname IN ('GetSecretValue', 'BatchGetSecretValue'))
           OR (eventsource = 'ssm.amazonaws.com' AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
               AND lower(coalesce(json_extract_scalar(requestparameters, '$.withDecryption'), '')) = 'true')
           OR (eventsource = 'kms.amazonaws.com' AND eventname = 'Decrypt'))
      AND useridentity.type = 'AssumedRole'
      AND useridentity.invokedby IS NULL
), chained AS (
    SELECT a.eventtime AS assume_time, a.account AS assume_account, a.region AS assume_region, a.principal AS assume_principal,
           a.sourceipaddress AS assume_address, a.useragent AS assume_agent, a.eventid AS assume_id, a.who, a.role_arn, r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal, r.sourceipaddress,
           r.useragent, r.eventid, r.target, r.event_at,
           row_number() OVER (PARTITION BY a.eventid ORDER BY r.event_at, r.eventid) AS nth,
           count(*) OVER (PARTITION BY a.eventid) AS reads
    FROM first_assumes a
    JOIN data_reads r
      ON (r.session_key = a.session_key OR (a.session_key IS NULL AND r.session_arn = a.session_arn))
     AND r.event_at >= a.event_at AND r.event_at < a.event_at + INTERVAL '1' HOUR
)
SELECT assume_time AS eventtime, assume_account AS account, assume_region AS region, 'sts.amazonaws.com' AS eventsource, 'AssumeRole' AS eventname,
       assume_principal AS principal, assume_address AS sourceipaddress, assume_agent AS useragent, assume_id AS eventid,
       concat(who, ' assumed ', coalesce(role_arn, '?'), ' for the first time in the lookback; the session then made ', CAST(reads AS varchar),
              ' data read(s) within the hour, first ', eventname, ' ', target) AS detail
FROM chained
WHERE nth = 1
UNION ALL
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat('first data read of the session ', who, ' opened on ', coalesce(role_arn, '?'), ' (', CAST(reads AS varchar), ' within the hour): ', eventname, ' ', target) AS detail
FROM chained
WHERE nth = 1
ORDER BY eventtime
