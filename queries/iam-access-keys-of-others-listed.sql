-- id: iam-access-keys-of-others-listed
-- title: Access keys of many other users listed
-- severity: medium
-- kind: threshold
-- tactics: TA0007, TA0006
-- techniques: T1087.004
-- description: One principal listed the access keys (ListAccessKeys, GetAccessKeyLastUsed) of several IAM users other than itself within the window: the survey before creating a second key for a user that still has a free slot, or choosing a dormant key (Pacu iam__enum_users_roles_policies_groups, iam__backdoor_users_keys).
-- falsepositives: Credential-report and key-age audits (Prowler, Security Hub, in-house rotation jobs), administrators reviewing users in the console one by one.
-- runbook: Check whether the principal is an audit tool; if not, look for CreateAccessKey or CreateLoginProfile for other users by the same session (access-key-created-for-other-user) and revoke the session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH listings AS (
    SELECT *, coalesce(useridentity.arn, useridentity.principalid) AS who,
           coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(responseelements, '$.userName')) AS listed_user
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'iam.amazonaws.com'
      AND eventname IN ('ListAccessKeys', 'GetAccessKeyLastUsed')
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
), others AS (
    SELECT *
    FROM listings
    -- Without userName the caller lists its own keys.
    WHERE listed_user IS NOT NULL
      -- The caller's own name: an IAM user's userName, or a role session's name (an SSO session named after the
      -- user changing their own password is not someone else; root and other sessions never match).
      AND listed_user <> coalesce(useridentity.username, regexp_extract(useridentity.arn, '[^/]+$'), '')
), per_principal AS (
    SELECT who, count(DISTINCT listed_user) AS users
    FROM others
    GROUP BY who
)
SELECT o.eventtime, o.account, o.region, o.eventsource, o.eventname, o.useridentity.arn AS principal, o.sourceipaddress, o.useragent, o.eventid,
       concat('keys of ', o.listed_user, ' (', CAST(p.users AS varchar), ' other users by this principal)') AS detail
FROM others o
JOIN per_principal p ON o.who = p.who
-- Five users: someone handling a ticket opens one or two users; enumeration tools walk every user.
WHERE p.users >= 5
ORDER BY o.eventtime
