-- id: flow-security-group-opened-then-used
-- title: Security group opened to the world, then inbound traffic accepted on that port
-- severity: high
-- kind: correlation
-- tactics: TA0005, TA0001
-- techniques: T1562.007, T1190
-- description: CloudTrail records an ingress rule for any address (0.0.0.0/0 or ::/0) in AuthorizeSecurityGroupIngress (first permission of ipPermissions) or ModifySecurityGroupRules, and within the next 24 hours the same account's flow logs show inbound TCP or UDP traffic from a public address accepted on a port inside the rule's range. The rule and the flow are joined by account and port (flow logs do not name security groups); rules for all protocols (-1) match every port.
-- falsepositives: A public service (80, 443) published through a new rule on purpose; another, older rule admitting the same port in the account.
-- runbook: Read the rule's change in CloudTrail (who, from where), close it if it was not planned, and follow the accepted sources' flows to the instance (investigate <instance id>).
WITH opened AS (
    SELECT from_iso8601_timestamp(eventtime) AS opened_at,
           eventtime AS opened_time,
           account,
           useridentity.arn AS opened_by,
           coalesce(json_extract_scalar(requestparameters, '$.groupId'),
                    json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.GroupId')) AS group_id,
           lower(coalesce(json_extract_scalar(requestparameters, '$.ipPermissions.items[0].ipProtocol'),
                          json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.IpProtocol'))) AS ip_protocol,
           TRY_CAST(coalesce(json_extract_scalar(requestparameters, '$.ipPermissions.items[0].fromPort'),
                             json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.FromPort')) AS integer) AS from_port,
           TRY_CAST(coalesce(json_extract_scalar(requestparameters, '$.ipPermissions.items[0].toPort'),
                             json_extract_scalar(requestparameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.ToPort')) AS integer) AS to_port
    FROM cloudtrail
    WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
      AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('${since}')
      AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('${until}')
      AND eventsource = 'ec2.amazonaws.com'
      AND eventname IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
      AND errorcode IS NULL
      AND regexp_like(requestparameters, '"(cidrIp|cidrIpv6|CidrIpv4|CidrIpv6)"\s*:\s*"[0-9A-Fa-f.:]+/0"')
), inbound AS (
    SELECT *
    FROM flow_logs
    WHERE ${window}
      AND action = 'ACCEPT'
      AND log_status = 'OK'
      AND protocol IN (6, 17)
      AND coalesce(flow_direction, 'ingress') IN ('ingress', '-')
      AND regexp_like(srcaddr, '^[0-9a-fA-F:.]+$')
      AND NOT regexp_like(srcaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)')
      AND regexp_like(dstaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cCdD])')
)
SELECT o.opened_time AS eventtime,
       o.account,
       i.aws_region AS region,
       i.srcaddr AS sourceipaddress,
       o.opened_by AS principal,
       concat('opened ', coalesce(o.group_id, '?'), ' then ACCEPT ', CAST(i.dstport AS varchar)) AS eventname,
       concat('sg-then-flow:', o.account, ':', coalesce(o.group_id, '?'), ':', o.opened_time, ':', i.interface_id, ':', i.srcaddr, ':', CAST(i.dstport AS varchar)) AS eventid,
       o.group_id,
       i.interface_id,
       i.dstaddr,
       i.dstport,
       to_iso8601(from_unixtime(min(i."start"))) AS first_accepted,
       count(*) AS flows,
       concat(coalesce(o.group_id, '?'), ' opened; ', i.srcaddr, ' -> ', i.dstaddr, ':', CAST(i.dstport AS varchar)) AS detail
FROM opened o
JOIN inbound i
  ON i.aws_account_id = o.account
 AND i."start" >= to_unixtime(o.opened_at)
 AND i."start" < to_unixtime(o.opened_at) + 86400
 AND (o.ip_protocol IN ('-1', 'all')
      OR (o.ip_protocol IN ('tcp', '6') AND i.protocol = 6 AND i.dstport BETWEEN o.from_port AND o.to_port)
      OR (o.ip_protocol IN ('udp', '17') AND i.protocol = 17 AND i.dstport BETWEEN o.from_port AND o.to_port))
GROUP BY o.opened_time, o.account, i.aws_region, i.srcaddr, o.opened_by, o.group_id, i.interface_id, i.dstaddr, i.dstport
ORDER BY eventtime
