-- id: network-acl-open-to-world
-- title: Network ACL entry allows inbound traffic from anywhere
-- severity: medium
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- description: An inbound allow entry for any address (an IPv4 or IPv6 /0 range, whatever its host bits) was added to or replaced in a network ACL.
-- falsepositives: Public subnets of load balancers, where world-open ACLs are the design.
-- runbook: Check the subnet the ACL guards; if it is not public by design, replace the entry with the intended range.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.networkAclId'), coalesce(json_extract_scalar(requestparameters, '$.cidrBlock'), json_extract_scalar(requestparameters, '$.ipv6CidrBlock'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateNetworkAclEntry', 'ReplaceNetworkAclEntry')
  AND errorcode IS NULL
  AND json_extract_scalar(requestparameters, '$.egress') = 'false'
  AND json_extract_scalar(requestparameters, '$.ruleAction') = 'allow'
  AND (json_extract_scalar(requestparameters, '$.cidrBlock') LIKE '%/0' OR json_extract_scalar(requestparameters, '$.ipv6CidrBlock') LIKE '%/0')
ORDER BY eventtime
