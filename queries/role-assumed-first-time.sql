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
WITH assumes AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           from_iso8601_timestamp(eventtime) AS event_at,
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
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
), sequenced AS (
    SELECT *, lag(event_at) OVER (PARTITION BY who, role_arn ORDER BY event_at, eventid) AS previous_at,
           lag(event_at) OVER (PARTITION BY caller_account, role_arn ORDER BY event_at, eventid) AS account_previous_at,
           min(event_at) OVER (PARTITION BY role_arn) AS role_first_at,
           min(event_at) OVER (PARTITION BY who) AS caller_first_at
    FROM assumes
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(who, ' assumed ', coalesce(role_arn, '?'), ' for the first time in the lookback',
              CASE WHEN account_previous_at IS NULL OR account_previous_at < event_at - ${lookback} THEN concat('; nobody from account ', coalesce(caller_account, '?'), ' had either') ELSE '' END) AS detail
FROM sequenced
WHERE event_at >= from_iso8601_timestamp('${since}')
  AND (previous_at IS NULL OR previous_at < event_at - ${lookback})
  -- A baseline exists: the role was assumed by others, or the caller assumed other roles, a day or more before.
  AND (role_first_at <= event_at - INTERVAL '1' DAY OR caller_first_at <= event_at - INTERVAL '1' DAY)
ORDER BY eventtime
