-- id: flow-port-scan
-- title: Port scan: one source rejected on many destination ports
-- severity: medium
-- kind: threshold
-- tactics: TA0007
-- techniques: T1046
-- description: One source address whose TCP or UDP connections were rejected on 25 or more distinct destination ports of one account's network interfaces within the window (a vertical or spread scan). The count is over flow records of any version, inbound or internal, so a scanner inside the VPC is found as well as one on the internet.
-- falsepositives: Vulnerability scanners and asset-inventory tools of the organization's own (suppress their addresses); health checkers probing many closed ports.
-- runbook: Check whether the source is a scanner of yours; if not, look for ACCEPTed flows from it (flow-admin-port-accepted-from-internet), block it at the network ACL and review what the rejected ports reveal about the target.
SELECT to_iso8601(from_unixtime(min("start"))) AS eventtime,
       aws_account_id AS account,
       aws_region AS region,
       srcaddr AS sourceipaddress,
       CAST(NULL AS varchar) AS principal,
       'REJECT scan' AS eventname,
       concat('port-scan:', aws_account_id, ':', srcaddr, ':', CAST(min("start") AS varchar)) AS eventid,
       count(DISTINCT dstport) AS distinct_ports,
       count(DISTINCT dstaddr) AS targets,
       sum(packets) AS packets,
       concat(CAST(count(DISTINCT dstport) AS varchar), ' ports on ', CAST(count(DISTINCT dstaddr) AS varchar), ' address(es)') AS detail
FROM flow_logs
WHERE ${window}
  AND action = 'REJECT'
  AND log_status = 'OK'
  AND protocol IN (6, 17)
GROUP BY aws_account_id, aws_region, srcaddr
HAVING count(DISTINCT dstport) >= 25
ORDER BY eventtime
