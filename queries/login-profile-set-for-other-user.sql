-- id: login-profile-set-for-other-user
-- title: Console password created or changed for another user
-- severity: high
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098
-- description: CreateLoginProfile or UpdateLoginProfile set the console password of an IAM user other than the caller: whoever set it can now sign in as that user (Stratus Red Team iam-create-user-login-profile). A user changing their own password uses ChangePassword and is not flagged. Denied attempts count.
-- falsepositives: Help-desk password resets; onboarding of a new IAM user by an administrator.
-- runbook: Ask the user whose password changed; if unexpected, delete the login profile (DeleteLoginProfile) and review the user's console sessions since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('for user ', json_extract_scalar(requestparameters, '$.userName'),
              CASE WHEN json_extract_scalar(requestparameters, '$.passwordResetRequired') = 'false' THEN ', no reset required' ELSE '' END,
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname IN ('CreateLoginProfile', 'UpdateLoginProfile')
  AND json_extract_scalar(requestparameters, '$.userName') IS NOT NULL
  -- The caller's own name: an IAM user's userName, or a role session's name (an SSO session named after the
  -- user changing their own password is not someone else; root and other sessions never match).
  AND json_extract_scalar(requestparameters, '$.userName') <> coalesce(useridentity.username, regexp_extract(useridentity.arn, '[^/]+$'), '')
ORDER BY eventtime
