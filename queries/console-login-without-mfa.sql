-- id: console-login-without-mfa
-- title: Console login without MFA
-- severity: high
-- kind: event
-- tactics: TA0001, TA0003
-- techniques: T1078.004
-- description: An IAM user or the root user signed in to the console with a password alone: a phished or leaked password is enough to get in.
-- falsepositives: Users not yet enrolled in MFA; break-glass procedures (which should use MFA anyway).
-- runbook: Ask the user whether they signed in from that address; enforce MFA (an IAM policy denying everything without aws:MultiFactorAuthPresent) and reset the password if in doubt.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('MFAUsed=', coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'absent')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventname = 'ConsoleLogin'
  AND useridentity.type IN ('IAMUser', 'Root')
  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'
  AND json_extract_scalar(additionaleventdata, '$.SamlProviderArn') IS NULL
  AND upper(coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'NO')) <> 'YES'
ORDER BY eventtime
