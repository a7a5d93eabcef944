-- id: egress-to-public-addresses
-- title: Bytes out to public addresses, by sender
-- description: Accepted bytes from private addresses to each public address, coloured by the private address that sent them; addresses of AWS services (pkt-dst-aws-service) are left out. A new destination near the top is where data may have gone.
-- source: flow_traffic
-- chart: top-bars
-- x: dstaddr
-- colour: srcaddr
-- sum: bytes
-- limit: 20
-- order: 120
-- columns: eventtime:datetime, account_name, region, dstaddr, srcaddr, bytes:integer
SELECT eventtime, account_name, region, dstaddr, srcaddr, bytes
FROM flow_traffic
WHERE action = 'ACCEPT' AND src_scope = 'private' AND dst_scope = 'public' AND dst_aws_service = 'none'
