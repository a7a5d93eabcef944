-- id: enumeration-then-sensitive-write
-- title: Enumeration followed by a sensitive change by the same session
-- severity: high
-- kind: correlation
-- tactics: TA0007, TA0003, TA0004
-- techniques: T1580, T1098, T1136.003
-- description: A session made many read calls across several services and then, within an hour, a change attackers make once they know the account: a user, key, login profile, policy or trust change, a public share, logging turned off, an instance launched or a function created. Returns the reads and the change.
-- falsepositives: Infrastructure-as-code runs (Terraform, CloudFormation, CDK refresh then apply) by a person or a pipeline; suppress the deploy role.
-- runbook: Read the change (detail) and decide if it was planned; if not, revert it, revoke the session and look for other changes by the same access key.
WITH calls AS (
    SELECT *, concat(coalesce(useridentity.arn, useridentity.principalid, ''), '|', coalesce(useridentity.accesskeyid, '')) AS session_key,
           from_iso8601_timestamp(eventtime) AS event_at,
           regexp_like(eventname, '^(List|Describe|Get|Search|Lookup|BatchGet)') AS is_read
    FROM cloudtrail
    WHERE ${window}
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND useridentity.invokedby IS NULL
), writes AS (
    SELECT *
    FROM calls
    WHERE (errorcode IS NULL
      AND eventname IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'AttachUserPolicy', 'AttachRolePolicy',
                        'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'AddUserToGroup', 'UpdateAssumeRolePolicy',
                        'CreatePolicyVersion', 'CreateRole', 'StopLogging', 'DeleteTrail', 'PutBucketPolicy', 'PutBucketAcl',
                        'DeleteBucketPublicAccessBlock', 'AuthorizeSecurityGroupIngress', 'ModifySnapshotAttribute', 'ModifyImageAttribute',
                        'RunInstances', 'SendCommand', 'DeleteDetector', 'GetFederationToken'))
           -- Lambda logs its API version in the name (CreateFunction20150331, AddPermission20150331v2).
           OR (errorcode IS NULL AND eventsource = 'lambda.amazonaws.com' AND regexp_like(eventname, '^(CreateFunction|AddPermission|CreateFunctionUrlConfig|UpdateFunctionCode)'))
), reads_before AS (
    -- Reads of the same session in the hour before each write.
    SELECT w.eventid AS write_id, w.session_key, max(w.event_at) AS write_at, count(DISTINCT r.eventid) AS reads,
           count(DISTINCT r.eventsource) AS services, min(r.event_at) AS first_read
    FROM writes w
    JOIN calls r ON r.session_key = w.session_key AND r.is_read AND r.event_at <= w.event_at AND date_diff('minute', r.event_at, w.event_at) <= 60
    GROUP BY w.eventid, w.session_key
), sequences AS (
    -- Ten reads over three services: enough to say the session looked around before it changed something.
    SELECT write_id, session_key, write_at, first_read
    FROM reads_before
    WHERE reads >= 10 AND services >= 3
), last_write AS (
    -- No join back on eventid: a duplicated id would multiply rows.
    SELECT session_key, min(first_read) AS first_read, max(write_at) AS last_at
    FROM sequences
    GROUP BY session_key
)
SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.useridentity.arn AS principal, c.sourceipaddress, c.useragent, c.eventid,
       CASE WHEN c.eventid IN (SELECT write_id FROM sequences) THEN concat('sensitive change after enumeration: ', c.eventname)
            ELSE 'enumeration' END AS detail
FROM calls c
JOIN last_write l ON c.session_key = l.session_key
WHERE c.event_at >= l.first_read AND c.event_at <= l.last_at
  AND (c.is_read OR c.eventid IN (SELECT write_id FROM sequences))
ORDER BY c.eventtime
