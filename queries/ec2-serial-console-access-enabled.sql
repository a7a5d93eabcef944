-- id: ec2-serial-console-access-enabled
-- title: EC2 serial console access enabled for the account
-- severity: high
-- kind: event
-- tactics: TA0008, TA0005
-- techniques: T1021.008
-- description: EnableSerialConsoleAccess turned on serial console access for every instance of the account in a region: the precondition for serial-console key pushes, and off by default. Denied attempts count.
-- falsepositives: Break-glass recovery; a platform team enabling it on purpose (then it is enabled once, not repeatedly).
-- runbook: Confirm the change was approved; otherwise call DisableSerialConsoleAccess and look for SendSerialConsoleSSHPublicKey by the same principal.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       CASE WHEN errorcode IS NULL THEN concat('serialConsoleAccessEnabled=', coalesce(json_extract_scalar(responseelements, '$.EnableSerialConsoleAccessResponse.serialConsoleAccessEnabled'),
                                                                    json_extract_scalar(responseelements, '$.serialConsoleAccessEnabled'), '?'))
            ELSE concat('attempt, ', errorcode) END AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'EnableSerialConsoleAccess'
ORDER BY eventtime
