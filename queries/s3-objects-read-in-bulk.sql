-- id: s3-objects-read-in-bulk
-- title: Many S3 objects read or listed by one session within an hour
-- severity: medium
-- kind: threshold
-- tactics: TA0009, TA0010
-- techniques: T1530, T1619
-- description: One session (an access key; a role's session has its own) read at least 100 distinct objects (GetObject, CopyObject) or listed buckets at least 50 times (ListObjects, ListObjectsV2, ListBucket) within one clock hour: a bucket being copied out (GuardDuty's Exfiltration:S3/AnomalousBehavior, Permiso's and Invictus' write-ups of S3 ransom and theft). Needs S3 data events (the trail's dataEvents setting). One finding per session and hour, on its first read, with the counts.
-- falsepositives: Backup, replication and ETL jobs, analytics engines, static sites read through the API; suppress those roles by principal.
-- runbook: Identify the session (access key, principal, source address) and what it read (npm run investigate); if not an expected job, revoke the session, block the principal in the bucket policy, and treat the objects as disclosed.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH reads AS (
    -- The columns used, not *: the engine materialises this CTE (read twice), and every column of every read cost most of the query.
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           json_extract_scalar(requestparameters, '$.bucketName') AS bucket, from_iso8601_timestamp(eventtime) AS event_at,
           coalesce(useridentity.accesskeyid, useridentity.arn, useridentity.principalid, sourceipaddress) AS session,
           concat(coalesce(json_extract_scalar(requestparameters, '$.bucketName'), '?'), '/', coalesce(json_extract_scalar(requestparameters, '$.key'), '')) AS object
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 's3.amazonaws.com'
      AND eventname IN ('GetObject', 'CopyObject', 'ListObjects', 'ListObjectsV2', 'ListBucket')
      AND errorcode IS NULL
      -- Services reading for a principal (Athena, replication) are counted under the principal's own calls.
      AND useridentity.invokedby IS NULL
      AND coalesce(sourceipaddress, '') NOT LIKE '%amazonaws.com'
), per_hour AS (
    SELECT account AS session_account, session, date_trunc('hour', event_at) AS hour,
           count(DISTINCT CASE WHEN eventname IN ('GetObject', 'CopyObject') THEN object END) AS objects,
           count(DISTINCT CASE WHEN eventname NOT IN ('GetObject', 'CopyObject') THEN eventid END) AS listings,
           count(DISTINCT bucket) AS buckets,
           min(event_at) AS first_at
    FROM reads
    GROUP BY account, session, date_trunc('hour', event_at)
    HAVING count(DISTINCT CASE WHEN eventname IN ('GetObject', 'CopyObject') THEN object END) >= 100
        OR count(DISTINCT CASE WHEN eventname NOT IN ('GetObject', 'CopyObject') THEN eventid END) >= 50
)
SELECT r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal, r.sourceipaddress, r.useragent, r.eventid,
       concat(CAST(p.objects AS varchar), ' distinct objects read and ', CAST(p.listings AS varchar), ' listings in ', CAST(p.buckets AS varchar),
              ' bucket(s) within the hour by session ', p.session) AS detail
FROM reads r
JOIN per_hour p ON r.account = p.session_account AND r.session = p.session AND r.event_at = p.first_at
ORDER BY r.eventtime
