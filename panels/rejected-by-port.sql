-- id: rejected-by-port
-- title: Rejected traffic by destination port, from public or private sources
-- description: Flow records the security groups or network ACLs rejected, by protocol and destination port (ICMP by protocol alone: it has no ports), split by whether the source is an internet (public) or internal (private) address: what is knocking, and where.
-- source: flow_traffic
-- chart: top-bars
-- x: port
-- colour: src_scope
-- count: eventtime
-- limit: 15
-- order: 110
-- columns: eventtime:datetime, account_name, region, port, src_scope
SELECT eventtime, account_name, region,
       CASE WHEN protocol IN ('ICMP', 'ICMPv6') OR dstport IS NULL THEN protocol ELSE concat(protocol, ' ', CAST(dstport AS varchar)) END AS port,
       src_scope
FROM flow_traffic
WHERE action = 'REJECT'
