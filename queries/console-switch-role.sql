-- id: console-switch-role
-- title: Console role switch
-- severity: low
-- kind: event
-- tactics: TA0004, TA0008
-- techniques: T1078.004
-- description: A console user switched into a role (possibly in another account): context for the actions that follow, and a path between accounts.
-- falsepositives: Everyday administration through role switching; keep it low and read it with other findings.
-- runbook: Read it alongside other findings of the same principal: which role, in which account, and what the session did next.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('from ', json_extract_scalar(additionaleventdata, '$.SwitchFrom')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'signin.amazonaws.com'
  AND eventname = 'SwitchRole'
  AND json_extract_scalar(additionaleventdata, '$.SwitchFrom') IS NOT NULL
ORDER BY eventtime
