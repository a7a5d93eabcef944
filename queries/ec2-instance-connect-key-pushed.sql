-- id: ec2-instance-connect-key-pushed
-- title: SSH key pushed to an instance with EC2 Instance Connect
-- severity: medium
-- kind: event
-- tactics: TA0008
-- techniques: T1021.008, T1098.004
-- description: SendSSHPublicKey installed a temporary SSH key for an OS user on an instance: a login path that needs only IAM permissions (Stratus Red Team ec2-instance-connect). Keys pushed to several instances by one principal stand out in the detail's instance list.
-- falsepositives: Engineers using "Connect" in the EC2 console or mssh/eic tooling as their normal access.
-- runbook: Confirm with the principal; check the instance's SSH logs for the session; revoke the caller if unexpected.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.instanceId'), '?'), ' as ', coalesce(json_extract_scalar(requestparameters, '$.instanceOSUser'), '?')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2-instance-connect.amazonaws.com'
  AND eventname = 'SendSSHPublicKey'
  AND errorcode IS NULL
ORDER BY eventtime
