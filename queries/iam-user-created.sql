-- id: iam-user-created
-- title: IAM user created
-- severity: medium
-- kind: event
-- tactics: TA0003
-- techniques: T1136.003
-- description: A new IAM user: long-lived credentials an attacker can keep after their stolen session ends.
-- falsepositives: Onboarding where IAM users are still used; service users created by the deploy role.
-- runbook: Check the request behind it; if none, delete the user's keys and login profile, then the user, and review the creator's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       json_extract_scalar(requestparameters, '$.userName') AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateUser'
  AND errorcode IS NULL
ORDER BY eventtime
