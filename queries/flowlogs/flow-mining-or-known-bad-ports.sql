-- id: flow-mining-or-known-bad-ports
-- title: Outbound traffic to mining-pool or known-bad ports
-- severity: high
-- kind: threshold
-- tactics: TA0040
-- techniques: T1496, T1571
-- description: Accepted outbound TCP traffic with data (more than 3 packets) from a private address to a public address on a port of cryptocurrency mining pools (Stratum 3333, 3334, 3357, 4444, 5555, 7777, 14433, 14444, 45560, 45700) or nodes (Bitcoin 8333, Monero 18080/18081), or of classic command-and-control and backdoor defaults (IRC 6667, Metasploit 4444, 31337). Direction is flow-direction egress (version 5) or, in records without it, a private source and public destination.
-- falsepositives: Development tools that listen on the same ports at a public test host; a sanctioned IRC client.
-- runbook: Identify the process on the instance (its flows, SSM session, CloudTrail RunInstances user data); isolate the instance and rotate its role's credentials if mining or a shell is confirmed.
SELECT to_iso8601(from_unixtime(min("start"))) AS eventtime,
       aws_account_id AS account,
       aws_region AS region,
       srcaddr AS sourceipaddress,
       coalesce(nullif(instance_id, '-'), interface_id) AS principal,
       concat('ACCEPT out tcp/', CAST(dstport AS varchar)) AS eventname,
       concat('bad-port:', aws_account_id, ':', interface_id, ':', dstaddr, ':', CAST(dstport AS varchar), ':', CAST(min("start") AS varchar)) AS eventid,
       dstaddr,
       dstport,
       sum(packets) AS packets,
       sum(bytes) AS bytes,
       concat(srcaddr, ' -> ', dstaddr, ':', CAST(dstport AS varchar)) AS detail
FROM flow_logs
WHERE ${window}
  AND action = 'ACCEPT'
  AND log_status = 'OK'
  AND protocol = 6
  AND packets > 3
  AND dstport IN (3333, 3334, 3357, 4444, 5555, 7777, 14433, 14444, 45560, 45700, 8333, 18080, 18081, 6667, 31337)
  AND (flow_direction = 'egress'
       OR (coalesce(flow_direction, '-') = '-'
           AND regexp_like(srcaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cCdD])')))
  AND regexp_like(dstaddr, '^[0-9a-fA-F:.]+$')
  AND NOT regexp_like(dstaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)')
GROUP BY aws_account_id, aws_region, srcaddr, coalesce(nullif(instance_id, '-'), interface_id), interface_id, dstaddr, dstport
ORDER BY eventtime
