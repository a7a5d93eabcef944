-- id: role-assumed-first-time
-- title: A principal assumed a role it had not assumed in the lookback
-- severity: medium
-- kind: correlation
-- lookback: 14d
-- tactics: TA0004, TA0008
-- techniques: T1078.004, T1550.001
-- description: AssumeRole succeeded for a caller (a user, or a role across all its sessions) that had not assumed that role in the lookback, while the role or the caller had been in use for at least a day: lateral movement through a trust policy that lets in more than it should (Elastic's new-terms rule on AssumeRole per user and role; Panther's role-assumed-by-new-principal). Says when the caller's account had not assumed the role either.
-- falsepositives: A person joining a team, a new pipeline stage, a role used once a month; suppress by principal.
-- runbook: Check that the caller should be able to assume the role (its trust policy, the team); if not, revoke the role's sessions, narrow the trust policy, and review what the session did (npm run investigate).
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
           coalesce(useridentity.accountid, recipientaccountid) AS caller_account,
           json_extract_scalar(requestparameters, '$.roleArn') AS role_arn
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND eventsource = 'sts.amazonaws.com'
      AND eventname = 'AssumeRole'
      AND errorcode IS NULL
      -- Services assuming their own roles (Lambda, ECS, Config…) do so constantly.
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
), sequenced AS (
    SELECT a.*, lag(a.event_at) OVER (PARTITION BY a.who, a.role_arn ORDER BY a.event_at, a.eventid) AS previous_at,
           lag(a.event_at) OVER (PARTITION BY a.caller_account, a.role_arn ORDER BY a.event_at, a.eventid) AS account_previous_at,
           r.role_previous_day, c.caller_previous_day
    FROM assumes a
    JOIN role_days r ON r.role_arn = a.role_arn AND r.day = substr(a.eventtime, 1, 10)
    JOIN caller_days c ON c.who = a.who AND c.day = substr(a.eventtime, 1, 10)
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(who, ' assumed ', coalesce(role_arn, '?'), ' for the first time in the lookback',
              CASE WHEN account_previous_at IS NULL OR account_previous_at < event_at - ${lookback} THEN concat('; nobody from account ', coalesce(caller_account, '?'), ' had either') ELSE '' END) AS detail
FROM sequenced
WHERE event_at >= from_iso8601_timestamp('${since}')
  AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
  -- A baseline exists: the role was assumed, or the caller assumed roles, on an earlier day inside the lookback.
  AND (role_previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
       OR caller_previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10))
ORDER BY eventtime
