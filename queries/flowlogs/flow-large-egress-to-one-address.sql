-- id: flow-large-egress-to-one-address
-- title: Large egress to one external address
-- severity: medium
-- kind: threshold
-- tactics: TA0010
-- techniques: T1048, T1567
-- description: One network interface sent 1 GiB or more to one public address within the window, in accepted outbound flows. AWS service endpoints that flow logs name (pkt-dst-aws-service, version 5: S3, DynamoDB, EC2 and the other ranges AWS publishes) are left out, so backups to S3 do not count; so are private and carrier-grade NAT destinations.
-- falsepositives: Backups or replication to a third-party service or another cloud; software update mirrors; large public downloads served by the instance (a web server answering many clients is spread over addresses, not one).
-- runbook: Name the destination (whois, threat intelligence), find the process and the data (the instance's other flows, CloudTrail for the role's reads before the transfer), and block the address if it is not a known partner.
SELECT to_iso8601(from_unixtime(min("start"))) AS eventtime,
       aws_account_id AS account,
       aws_region AS region,
       srcaddr AS sourceipaddress,
       coalesce(nullif(instance_id, '-'), interface_id) AS principal,
       'ACCEPT egress' AS eventname,
       concat('egress:', aws_account_id, ':', interface_id, ':', dstaddr, ':', CAST(min("start") AS varchar)) AS eventid,
       dstaddr,
       sum(bytes) AS bytes,
       count(*) AS flows,
       concat(CAST(sum(bytes) / 1048576 AS varchar), ' MiB to ', dstaddr) AS detail
FROM flow_logs
WHERE ${window}
  AND action = 'ACCEPT'
  AND log_status = 'OK'
  AND coalesce(flow_direction, '-') IN ('egress', '-')
  AND coalesce(pkt_dst_aws_service, '-') = '-'
  AND regexp_like(srcaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cCdD])')
  AND regexp_like(dstaddr, '^[0-9a-fA-F:.]+$')
  AND NOT regexp_like(dstaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)')
GROUP BY aws_account_id, aws_region, srcaddr, coalesce(nullif(instance_id, '-'), interface_id), interface_id, dstaddr
HAVING sum(bytes) >= 1073741824
ORDER BY eventtime
