-- id: traffic-over-time
-- title: Network traffic over time, accepted and rejected (bytes)
-- description: Bytes of VPC flow-log records per hour of their capture window, split by what the security groups and network ACLs did with them: a burst of accepted bytes is a transfer, a wall of rejected ones someone knocking.
-- source: flow_traffic
-- chart: time-bars
-- x: eventtime
-- granularity: hour
-- colour: action
-- sum: bytes
-- order: 90
-- columns: eventtime:datetime, account_name, region, action, bytes:integer
SELECT eventtime, account_name, region, action, bytes
FROM flow_traffic
