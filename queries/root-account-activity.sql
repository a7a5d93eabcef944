-- id: root-account-activity
-- title: Root user activity
-- severity: high
-- kind: event
-- tactics: TA0001, TA0004
-- techniques: T1078.004
-- description: The root user acted (not an AWS service on its behalf): root cannot be restricted by IAM, and should be used only for the few tasks that need it.
-- falsepositives: The documented root-only tasks (support plan, account closure), by the account owner, with MFA.
-- runbook: Ask the account owner; if unexpected, change the root password, rotate its MFA, delete any root access key, and review everything done in the session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       coalesce(errorcode, eventname) AS detail
FROM cloudtrail
WHERE ${window}
  AND useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND coalesce(eventtype, '') <> 'AwsServiceEvent'
ORDER BY eventtime
