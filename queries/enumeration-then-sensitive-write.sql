-- id: enumeration-then-sensitive-write
-- title: Enumeration followed by a sensitive change by the same session
-- severity: high
-- kind: correlation
-- role: context
-- tactics: TA0007, TA0003, TA0004
-- techniques: T1580, T1098, T1136.003
-- description: A session made many read calls across several services and then, within an hour, a change attackers make once they know the account: a user, key, login profile, policy or trust change, a public share, logging turned off, an instance launched or a function created. Returns the reads and the change.
-- falsepositives: Infrastructure-as-code runs (Terraform, CloudFormation, CDK refresh then apply) by a person or a pipeline; suppress the deploy role.
-- runbook: Read the change (detail) and decide if it was planned; if not, revert it, revoke the session and look for other changes by the same access key.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-26
WITH calls AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           concat(coalesce(useridentity.arn, useridentity.principalid, ''), '|', coalesce(useridentity.accesskeyid, '')) AS session_key,
           from_iso8601_timestamp(eventtime) AS event_at,
           regexp_like(eventname, '^(List|Describe|Get|Search|Lookup|BatchGet)') AS is_read,
           (errorcode IS NULL
            AND (eventname IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'AttachUserPolicy', 'AttachRolePolicy',
                               'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'AddUserToGroup', 'UpdateAssumeRolePolicy',
                               'CreatePolicyVersion', 'CreateRole', 'StopLogging', 'DeleteTrail', 'PutBucketPolicy', 'PutBucketAcl',
                               'DeleteBucketPublicAccessBlock', 'AuthorizeSecurityGroupIngress', 'ModifySnapshotAttribute', 'ModifyImageAttribute',
                               'RunInstances', 'SendCommand', 'DeleteDetector', 'GetFederationToken')
                 -- Lambda logs its API version in the name (CreateFunction20150331, AddPermission20150331v2).
                 OR (eventsource = 'lambda.amazonaws.com' AND regexp_like(eventname, '^(CreateFunction|AddPermission|CreateFunctionUrlConfig|UpdateFunctionCode)')))) AS is_write
    FROM cloudtrail
    WHERE ${window}
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND useridentity.invokedby IS NULL
), events AS (
    -- Copies of one event (a log file delivered or copied twice) count once; events without an id all count.
    SELECT *, CASE WHEN eventid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY eventid ORDER BY eventtime) END AS copy
    FROM calls
    WHERE is_read OR is_write
), reads AS (
    SELECT *, lag(event_at) OVER (PARTITION BY session_key, eventsource ORDER BY event_at) AS previous_same_service_at,
           lead(event_at) OVER (PARTITION BY session_key, eventsource ORDER BY event_at) AS next_same_service_at
    FROM events
    WHERE copy = 1 AND is_read
), timeline AS (
    -- Each session's reads and changes in time order, plus one marker row per service leaving the hour behind.
    -- step 0: a read. It counts in reads_in_hour, and adds 1 to services_in_hour when its service had no read in the
    --         hour before it (the service enters the window).
    -- step 1: a sensitive change: the row at which both counts are read. A change that is also a read
    --         (GetFederationToken) is here as well as at step 0, as it counted itself as a read before.
    -- step 2: 60 minutes after a read not followed by another read of its service within the hour: that service
    --         leaves the window, -1. Step 2 sorts after step 1 so that a read exactly 60 minutes old still counts.
    SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid, session_key, event_at, is_read, is_write,
           0 AS step, 1 AS read_weight,
           CASE WHEN previous_same_service_at IS NULL OR previous_same_service_at < event_at - INTERVAL '60' MINUTE THEN 1 ELSE 0 END AS service_change
    FROM reads
    UNION ALL
    SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid, session_key, event_at, is_read, is_write,
           1 AS step, 0 AS read_weight, 0 AS service_change
    FROM events
    WHERE copy = 1 AND is_write
    UNION ALL
    SELECT NULL, NULL, NULL, eventsource, NULL, NULL, NULL, NULL, NULL, session_key, event_at + INTERVAL '60' MINUTE, false, false,
           2 AS step, 0 AS read_weight, -1 AS service_change
    FROM reads
    WHERE next_same_service_at IS NULL OR next_same_service_at > event_at + INTERVAL '60' MINUTE
), scored AS (
    -- Linear in the session's events (one sort, then running or sliding sums), where the former self-join paired every
    -- change with every read of the session's hour: 37 s for one automation session of 53,000 events in 30 minutes.
    -- reads_in_hour: reads from 60 minutes before the change up to it (both ends included, and other events of the same
    -- second); a sliding count, which Trino keeps by removing the rows that leave the frame.
    -- services_in_hour: the distinct services of those reads, as a running sum of the +1/-1 above (Trino's window
    -- aggregates cannot count DISTINCT, and a sliding min/max would be recomputed for every row).
    -- The hour is exactly 60 minutes on both engines; the former date_diff('minute') <= 60 also took reads up to
    -- 60 min 59 s old on Trino, and on DuckDB counted minute boundaries crossed.
    SELECT *,
           sum(read_weight) OVER (PARTITION BY session_key ORDER BY event_at RANGE BETWEEN INTERVAL '60' MINUTE PRECEDING AND CURRENT ROW) AS reads_in_hour,
           sum(service_change) OVER (PARTITION BY session_key ORDER BY event_at, step ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS services_in_hour
    FROM timeline
), sequences AS (
    -- Ten reads over three services: enough to say the session looked around before it changed something.
    -- The reads returned start an hour before the session's first such change (later changes' hours start later).
    SELECT session_key, min(event_at) - INTERVAL '60' MINUTE AS first_at, max(event_at) AS last_at
    FROM scored
    WHERE step = 1 AND reads_in_hour >= 10 AND services_in_hour >= 3
    GROUP BY session_key
)
-- One row per event: a change that follows the enumeration, and the reads (a GetFederationToken that did not follow
-- enough reads is returned once, as a read). One row per session on the right: no join back on eventid.
SELECT s.eventtime, s.account, s.region, s.eventsource, s.eventname, s.principal, s.sourceipaddress, s.useragent, s.eventid,
       CASE WHEN s.step = 1 AND s.reads_in_hour >= 10 AND s.services_in_hour >= 3 THEN concat('sensitive change after enumeration: ', s.eventname)
            ELSE 'enumeration' END AS detail
FROM scored s
JOIN sequences q ON s.session_key = q.session_key
WHERE s.event_at >= q.first_at AND s.event_at <= q.last_at
  AND ((s.step = 0 AND NOT s.is_write) OR (s.step = 1 AND (s.is_read OR (s.reads_in_hour >= 10 AND s.services_in_hour >= 3))))
ORDER BY s.eventtime
