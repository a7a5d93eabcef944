-- id: access-key-created-for-other-user
-- title: Access key created or re-activated for another user
-- severity: high
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.001
-- description: An access key was created, or an inactive one re-activated, for an IAM user other than the caller: a second set of credentials for someone else's identity is a classic backdoor (Stratus Red Team iam-create-admin-user / iam-create-user-login-profile). Narrower than access-key-created, which flags every key, the caller's own included. Denied attempts count.
-- falsepositives: Administrators issuing keys to service users; provisioning pipelines (suppress their role).
-- runbook: Ask the key's owner and the caller; if unexpected, deactivate the key (UpdateAccessKey Inactive), then check what it was used for (its accessKeyId in userIdentity).
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('for user ', json_extract_scalar(requestparameters, '$.userName'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND (eventname = 'CreateAccessKey'
       OR (eventname = 'UpdateAccessKey' AND json_extract_scalar(requestparameters, '$.status') = 'Active'))
  -- Without userName the key is the caller's own.
  AND json_extract_scalar(requestparameters, '$.userName') IS NOT NULL
  -- The caller's own name: an IAM user's userName, or a role session's name (an SSO session named after the
  -- user changing their own password is not someone else; root and other sessions never match).
  AND json_extract_scalar(requestparameters, '$.userName') <> coalesce(useridentity.username, regexp_extract(useridentity.arn, '[^/]+$'), '')
ORDER BY eventtime
