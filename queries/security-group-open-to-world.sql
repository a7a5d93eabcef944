-- id: security-group-open-to-world
-- title: Security group opened to the world
-- severity: high
-- kind: event
-- tactics: TA0005, TA0001
-- techniques: T1562.007, T1190
-- description: An ingress rule for any address (an IPv4 or IPv6 /0 range, whatever its host bits), in any shape AWS logs: cidrIp or cidrIpv6 at the top, ipPermissions items' ipRanges or ipv6Ranges, or a ModifySecurityGroupRules rule's CidrIpv4 or CidrIpv6.
-- falsepositives: Public load balancers on 80 and 443.
-- runbook: Check the port and what listens on it; revoke the rule unless it is a public front end by design.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.groupId'), json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId')),
                 regexp_extract(requestparameters, '"(cidrIp|cidrIpv6|CidrIpv4|CidrIpv6)"\s*:\s*"[0-9A-Fa-f.:]+/0"')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND errorcode IS NULL
  AND regexp_like(requestparameters, '"(cidrIp|cidrIpv6|CidrIpv4|CidrIpv6)"\s*:\s*"[0-9A-Fa-f.:]+/0"')
ORDER BY eventtime
