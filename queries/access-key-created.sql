-- id: access-key-created
-- title: Access key created for another identity or for root
-- severity: high
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.001
-- description: A long-lived access key was created for an IAM user other than the caller, by a role, or for the root user: an attacker's favourite way to keep access after the session they stole expires. Users creating their own keys (rotation) are left alone.
-- falsepositives: Onboarding of a service user by an administrator or the deploy role; break-glass procedures.
-- runbook: Ask the key's user whether they asked for it; if not, deactivate the key (UpdateAccessKey Inactive), then review the creator's session and what the key has done since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('key for ', coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(responseelements, '$.accessKey.userName'),
                                   CASE WHEN useridentity.type = 'Root' THEN 'root' ELSE 'the caller' END)) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND errorcode IS NULL
  -- An IAM user creating a key for itself (no userName, or its own) is routine rotation.
  AND NOT (coalesce(useridentity.type, '') = 'IAMUser'
           AND coalesce(json_extract_scalar(requestparameters, '$.userName'), useridentity.username, '') = coalesce(useridentity.username, ''))
ORDER BY eventtime
