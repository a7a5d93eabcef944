-- id: ec2-windows-password-retrieved
-- title: Windows administrator password of an instance retrieved
-- severity: medium
-- kind: event
-- tactics: TA0006
-- techniques: T1552
-- description: GetPasswordData returned (or was refused) the encrypted Administrator password of a Windows instance; with the key pair's private key it logs straight into the instance. Denied attempts count: trying it across instances is the attack (Stratus Red Team ec2-get-password-data).
-- falsepositives: Administrators connecting by RDP from the console's Connect page; Windows fleet tooling.
-- runbook: Confirm with the principal; if unexpected, change the instance's Administrator password, check RDP logins on the instance and revoke the session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.instanceId'), '?'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'GetPasswordData'
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
ORDER BY eventtime
