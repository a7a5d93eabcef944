-- id: top-talkers
-- title: Top talkers: source → destination by bytes, coloured by action
-- description: The address pairs that moved the most bytes, accepted and rejected apart (each direction of a conversation is its own pair, as flow logs record it).
-- source: flow_traffic
-- chart: top-bars
-- x: talkers
-- colour: action
-- sum: bytes
-- limit: 20
-- order: 100
-- columns: eventtime:datetime, account_name, region, talkers, action, bytes:integer
SELECT eventtime, account_name, region, concat(srcaddr, ' → ', dstaddr) AS talkers, action, bytes
FROM flow_traffic
