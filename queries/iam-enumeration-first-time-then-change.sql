-- id: iam-enumeration-first-time-then-change
-- title: IAM enumerated by a principal that never did, then a role assumed or a permission changed
-- severity: high
-- kind: correlation
-- lookback: 14d
-- tactics: TA0007, TA0004
-- techniques: T1087.004, T1069.003, T1098
-- description: A principal listed IAM (users, roles, groups, policies, their attachments, GetAccountAuthorizationDetails) for the first time in the lookback and, within the hour, assumed a role or changed permissions or credentials (attach or put a policy, a policy version, a trust policy, group membership, an access key or login profile), allowed or denied: the enumerate-then-escalate chain of Pacu's iam__enum_permissions and iam__privesc_scan and of the Datadog Security Labs and Permiso intrusion write-ups. Returns the change and the first enumeration call.
-- falsepositives: An administrator's first IAM session of the month, a pipeline that changes IAM rarely; principals seen for less than a day are not judged (a new pipeline's first run lists roles, then attaches policies).
-- runbook: Check whether the principal's owner ran an IAM task; if not, revoke the credentials, undo the change (detach the policy, delete the key) and review what the session did next.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH activity AS (
    -- The entity a change names, kept for changes only: the engine materialises this CTE, and the request parameters of
    -- every event were most of the query's time.
    SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid, errorcode, event_at, who, step,
           CASE WHEN step = 'change' THEN coalesce(json_extract_scalar(requestparameters, '$.roleArn'), json_extract_scalar(requestparameters, '$.policyArn'),
                                                   json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(requestparameters, '$.roleName'), '') END AS target
    FROM (
        SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
               requestparameters, from_iso8601_timestamp(eventtime) AS event_at,
               CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                         AND NOT regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/')
                    THEN coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)
                    ELSE coalesce(useridentity.arn, concat(coalesce(recipientaccountid, ''), ':', coalesce(useridentity.principalid, useridentity.username, ''))) END AS who,
               CASE WHEN eventsource = 'iam.amazonaws.com'
                         AND regexp_like(eventname, '^(ListUsers|ListRoles|ListGroups|ListPolicies|ListPolicyVersions|ListAttached(User|Role|Group)Policies|ListUserPolicies|ListRolePolicies|ListGroupPolicies|ListGroupsForUser|ListEntitiesForPolicy|ListAccessKeys|ListInstanceProfiles|GetAccountAuthorizationDetails|GetAccountSummary)$')
                    THEN 'enumeration'
                    WHEN (eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole')
                         OR (eventsource = 'iam.amazonaws.com'
                             AND eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy',
                                               'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'UpdateAssumeRolePolicy', 'AddUserToGroup',
                                               'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile'))
                    THEN 'change' END AS step
        FROM cloudtrail
        WHERE (${history} OR ${window})
          AND useridentity.invokedby IS NULL
          AND coalesce(sourceipaddress, '') NOT LIKE '%amazonaws.com'
          AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
    ) calls
), active_days AS (
    -- The days the principal was active, each with the one before: its baseline is an earlier day inside the lookback.
    SELECT who, day, lag(day) OVER (PARTITION BY who ORDER BY day) AS previous_day
    FROM (SELECT DISTINCT who, substr(eventtime, 1, 10) AS day FROM activity) days
), first_enumerations AS (
    SELECT * FROM (
        SELECT a.*, lag(a.event_at) OVER (PARTITION BY a.who, a.step ORDER BY a.event_at, a.eventid) AS previous_at, d.previous_day
        FROM activity a
        JOIN active_days d ON d.who = a.who AND d.day = substr(a.eventtime, 1, 10)
    ) sequenced
    WHERE step = 'enumeration'
      AND event_at >= from_iso8601_timestamp('${since}')
      AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
      -- A principal without an earlier active day in the lookback has no baseline (a new pipeline's first run lists and attaches).
      AND previous_day IS NOT NULL
      AND previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
), chained AS (
    SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.principal, c.sourceipaddress, c.useragent, c.eventid, c.errorcode,
           c.target, c.event_at, c.who,
           e.eventtime AS enumeration_time, e.eventname AS enumeration_call, e.account AS enumeration_account, e.region AS enumeration_region,
           e.principal AS enumeration_principal, e.sourceipaddress AS enumeration_address, e.useragent AS enumeration_agent, e.eventid AS enumeration_id,
           row_number() OVER (PARTITION BY e.who, e.event_at ORDER BY c.event_at, c.eventid) AS nth
    FROM first_enumerations e
    JOIN activity c ON c.who = e.who AND c.step = 'change' AND c.event_at > e.event_at AND c.event_at <= e.event_at + INTERVAL '1' HOUR
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(eventname, ' ', target,
              CASE WHEN errorcode IS NOT NULL THEN concat(' (', errorcode, ')') ELSE '' END,
              ' after the first IAM enumeration by ', who, ' in the lookback (', enumeration_call, ' at ', enumeration_time, ')') AS detail
FROM chained
UNION ALL
SELECT enumeration_time, enumeration_account, enumeration_region, 'iam.amazonaws.com', enumeration_call, enumeration_principal, enumeration_address,
       enumeration_agent, enumeration_id, concat('first IAM enumeration by ', who, ' in the lookback, followed within the hour by ', eventname)
FROM chained
WHERE nth = 1
ORDER BY eventtime
