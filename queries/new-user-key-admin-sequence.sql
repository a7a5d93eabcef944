-- id: new-user-key-admin-sequence
-- title: New IAM user given credentials and administrator rights
-- severity: critical
-- kind: correlation
-- tactics: TA0003, TA0004
-- techniques: T1136.003, T1098.001, T1098.003
-- description: Within the window an IAM user was created, then received an access key or a console password, and an administrator policy (AdministratorAccess, IAMFullAccess, or an inline Allow of "*" / "iam:*"): the full backdoor-user sequence (Stratus Red Team iam-create-admin-user; Pacu iam__backdoor_users_keys). The key and the policy may come in either order after the user; the callers may differ. Returns the three kinds of events.
-- falsepositives: Creating a break-glass admin user by hand; account-vending scripts that still create IAM admin users.
-- runbook: Treat as a compromise unless the change is known: deactivate the key, delete the login profile, detach the policy, then find the session that created the user and revoke it.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH iam AS (
    SELECT *, from_iso8601_timestamp(eventtime) AS event_at,
           coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(responseelements, '$.accessKey.userName')) AS target,
           coalesce(json_extract_scalar(requestparameters, '$.policyDocument'), '') AS document
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'iam.amazonaws.com'
      AND eventname IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'AttachUserPolicy', 'PutUserPolicy')
      AND errorcode IS NULL
), steps AS (
    SELECT *,
           CASE WHEN eventname = 'CreateUser' THEN 'user'
                WHEN eventname IN ('CreateAccessKey', 'CreateLoginProfile') THEN 'credential'
                WHEN regexp_like(coalesce(json_extract_scalar(requestparameters, '$.policyArn'), ''), ':iam::aws:policy/(AdministratorAccess|IAMFullAccess)$')
                  OR regexp_like(document, '\{[^{}]*"Effect"\s*:\s*"Allow"[^{}]*"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"')
                  OR regexp_like(document, '\{[^{}]*"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"[^{}]*"Effect"\s*:\s*"Allow"') THEN 'admin'
           END AS step
    FROM iam
    WHERE target IS NOT NULL
), created AS (
    SELECT account, target, min(event_at) AS created_at
    FROM steps
    WHERE step = 'user'
    GROUP BY account, target
), completed AS (
    SELECT c.account, c.target, c.created_at
    FROM created c
    JOIN steps s ON s.account = c.account AND s.target = c.target AND s.event_at >= c.created_at
    GROUP BY c.account, c.target, c.created_at
    HAVING count(DISTINCT CASE WHEN s.step = 'credential' THEN s.eventid END) > 0
       AND count(DISTINCT CASE WHEN s.step = 'admin' THEN s.eventid END) > 0
)
SELECT s.eventtime, s.account, s.region, s.eventsource, s.eventname, s.useridentity.arn AS principal, s.sourceipaddress, s.useragent, s.eventid,
       concat(s.step, ' step for new user ', s.target) AS detail
FROM steps s
JOIN completed c ON s.account = c.account AND s.target = c.target
WHERE s.step IS NOT NULL AND s.event_at >= c.created_at
ORDER BY s.eventtime
