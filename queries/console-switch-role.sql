-- name: console-switch-role
-- title: Console role switch
-- severity: low
-- mitre: T1078.004 Valid Accounts: Cloud Accounts
-- description: Someone switched role in the AWS console; SwitchFrom names the identity they switched from, which the role session alone does not show.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(additionaleventdata, '$.SwitchFrom') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'signin.amazonaws.com'
  AND eventname = 'SwitchRole'
  AND json_extract_scalar(additionaleventdata, '$.SwitchFrom') IS NOT NULL
ORDER BY eventtime
