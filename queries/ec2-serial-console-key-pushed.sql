-- id: ec2-serial-console-key-pushed
-- title: SSH key pushed for an instance's serial console
-- severity: high
-- kind: event
-- tactics: TA0008
-- techniques: T1021.008
-- description: SendSerialConsoleSSHPublicKey opened the EC2 serial console of an instance to a key: out-of-band access that bypasses security groups and the network entirely. Denied attempts count.
-- falsepositives: Break-glass recovery of an instance that no longer boots or has lost networking.
-- runbook: Confirm with the principal that a recovery was under way; if not, disable serial console access (DisableSerialConsoleAccess) and revoke the caller.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.instanceId'), '?'), ' port ', coalesce(json_extract_scalar(requestparameters, '$.serialPort'), '0'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2-instance-connect.amazonaws.com'
  AND eventname = 'SendSerialConsoleSSHPublicKey'
ORDER BY eventtime
