-- name: security-group-open-to-world
-- title: Security group opened to the world
-- severity: high
-- mitre: T1190 Exploit Public-Facing Application
-- description: An ingress rule allowing 0.0.0.0/0 or ::/0 was added to a security group.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.groupId') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND (requestparameters LIKE '%"0.0.0.0/0"%' OR requestparameters LIKE '%"::/0"%')
  AND errorcode IS NULL
ORDER BY eventtime
