-- id: access-key-created
-- title: IAM access key created
-- severity: medium
-- kind: event
-- tactics: TA0003
-- techniques: T1098.001
-- description: A long-lived access key was created for an IAM user (or the root user): an attacker's favourite way to keep access after the session they stole expires.
-- falsepositives: Onboarding of a service user; key rotation by the user themself (the detail says whose key it is).
-- runbook: Check whether the key's user asked for it and whether the creator is that user; if not, deactivate the key (UpdateAccessKey Inactive) and review the creator's session.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', 'key for', coalesce(json_extract_scalar(responseelements, '$.accessKey.userName'), json_extract_scalar(requestparameters, '$.userName'), 'the caller')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND errorcode IS NULL
ORDER BY eventtime
