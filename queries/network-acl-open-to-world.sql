-- name: network-acl-open-to-world
-- title: Network ACL allows inbound traffic from anywhere
-- severity: medium
-- mitre: T1562.007 Impair Defenses: Disable or Modify Cloud Firewall
-- description: An inbound network ACL entry allowing 0.0.0.0/0 or ::/0 was created or replaced.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.networkAclId') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateNetworkAclEntry', 'ReplaceNetworkAclEntry')
  AND errorcode IS NULL
  AND json_extract_scalar(requestparameters, '$.egress') = 'false'
  AND json_extract_scalar(requestparameters, '$.ruleAction') = 'allow'
  AND (json_extract_scalar(requestparameters, '$.cidrBlock') = '0.0.0.0/0' OR json_extract_scalar(requestparameters, '$.ipv6CidrBlock') = '::/0')
ORDER BY eventtime
