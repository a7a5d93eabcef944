-- id: flow-admin-port-accepted-from-internet
-- title: SSH, RDP or database port accepted from the internet
-- severity: high
-- kind: threshold
-- tactics: TA0001, TA0008
-- techniques: T1190, T1021.004, T1021.001
-- description: Inbound TCP traffic from a public address accepted on a remote-administration or database port (SSH 22, RDP 3389, VNC 5900, WinRM 5985/5986, SQL Server 1433, Oracle 1521, MySQL 3306, PostgreSQL 5432, Redshift 5439, Redis 6379, Elasticsearch 9200, memcached 11211, MongoDB 27017). Inbound means flow-direction ingress (version 5) or, in records without it, a private destination address; public means none of the RFC 1918, carrier-grade NAT, loopback, link-local or IPv6 unique-local ranges.
-- falsepositives: Bastion hosts and databases published on purpose (suppress them by account); a security group that admits a partner's public address.
-- runbook: Find the security group rule that admits the port (security-group-open-to-world, flow-security-group-opened-then-used) and close it; look at the source's other flows and at the instance's logins for what the connection did.
SELECT to_iso8601(from_unixtime(min("start"))) AS eventtime,
       aws_account_id AS account,
       aws_region AS region,
       srcaddr AS sourceipaddress,
       coalesce(nullif(instance_id, '-'), interface_id) AS principal,
       concat('ACCEPT tcp/', CAST(dstport AS varchar)) AS eventname,
       concat('admin-port:', aws_account_id, ':', interface_id, ':', srcaddr, ':', CAST(dstport AS varchar), ':', CAST(min("start") AS varchar)) AS eventid,
       dstaddr,
       dstport,
       count(*) AS flows,
       sum(bytes) AS bytes,
       concat(srcaddr, ' -> ', dstaddr, ':', CAST(dstport AS varchar)) AS detail
FROM flow_logs
WHERE ${window}
  AND action = 'ACCEPT'
  AND log_status = 'OK'
  AND protocol = 6
  AND dstport IN (22, 3389, 5900, 5985, 5986, 1433, 1521, 3306, 5432, 5439, 6379, 9200, 11211, 27017)
  AND (flow_direction = 'ingress'
       OR (coalesce(flow_direction, '-') = '-'
           AND regexp_like(dstaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cCdD])')))
  AND regexp_like(srcaddr, '^[0-9a-fA-F:.]+$')
  AND NOT regexp_like(srcaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)')
GROUP BY aws_account_id, aws_region, srcaddr, coalesce(nullif(instance_id, '-'), interface_id), interface_id, dstaddr, dstport
ORDER BY eventtime
