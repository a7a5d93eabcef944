-- id: ec2-user-data-modified
-- title: Instance user data changed
-- severity: high
-- kind: event
-- tactics: TA0002, TA0003
-- techniques: T1059, T1037
-- description: ModifyInstanceAttribute replaced an instance's user data: the script runs as root at the next start (Stratus Red Team ec2-modify-user-data). CloudTrail hides the value ("<sensitiveDataRemoved>") but logs that userData was set, alone or as attribute userData.
-- falsepositives: Re-provisioning of a stopped instance by an operator; rarely automated.
-- runbook: Read the new user data (DescribeInstanceAttribute userData) and compare with the launch template; if foreign, restore it before the instance starts and revoke the caller.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       json_extract_scalar(requestparameters, '$.instanceId') AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifyInstanceAttribute'
  AND errorcode IS NULL
  AND (json_extract(requestparameters, '$.userData') IS NOT NULL
       OR json_extract_scalar(requestparameters, '$.attribute') = 'userData')
ORDER BY eventtime
