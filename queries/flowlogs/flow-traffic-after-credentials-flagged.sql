-- id: flow-traffic-after-credentials-flagged
-- title: Outbound traffic from an instance after its credentials were used elsewhere
-- severity: critical
-- kind: correlation
-- tactics: TA0006, TA0010
-- techniques: T1552.005, T1048
-- description: An instance profile's session (principalId ending in :i-<instance id>) called AWS from a second public address within the window (the flag of ec2-instance-credentials-used-elsewhere), and the same instance's flow logs (instance-id, version 3 and later) show accepted outbound traffic to a public address in the hour after that second address was first seen: the instance that leaked its credentials is talking to the internet.
-- falsepositives: The same as ec2-instance-credentials-used-elsewhere (several NAT addresses, an Elastic IP change); instances that talk to the internet all the time, for which this only says the flag is worth a closer look.
-- runbook: Treat the instance as compromised: isolate it (quarantine security group), snapshot its volumes, revoke the role's sessions; list the destinations here and in the instance's flows (investigate <instance id>).
WITH calls AS (
    SELECT regexp_extract(useridentity.principalid, 'i-[0-9a-f]{8,17}$') AS instance_id,
           account,
           sourceipaddress,
           from_iso8601_timestamp(eventtime) AS called_at
    FROM cloudtrail
    WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
      AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('${since}')
      AND from_iso8601_timestamp(eventtime) < from_iso8601_timestamp('${until}')
      AND useridentity.type = 'AssumedRole'
      AND regexp_like(useridentity.principalid, ':i-[0-9a-f]{8,17}$')
      AND regexp_like(coalesce(sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F]*:[0-9a-fA-F:]+$')
      AND vpcendpointid IS NULL
      AND useridentity.invokedby IS NULL
), first_address AS (
    SELECT instance_id, min_by(sourceipaddress, called_at) AS home_address
    FROM calls
    GROUP BY instance_id
), flagged AS (
    SELECT c.instance_id, c.account, min(c.called_at) AS flagged_at, min(c.sourceipaddress) AS other_address
    FROM calls c
    JOIN first_address f ON c.instance_id = f.instance_id AND c.sourceipaddress <> f.home_address
    GROUP BY c.instance_id, c.account
), outbound AS (
    SELECT *
    FROM flow_logs
    WHERE ${window}
      AND action = 'ACCEPT'
      AND log_status = 'OK'
      AND coalesce(flow_direction, 'egress') IN ('egress', '-')
      AND regexp_like(instance_id, '^i-[0-9a-f]{8,17}$')
      AND regexp_like(dstaddr, '^[0-9a-fA-F:.]+$')
      AND NOT regexp_like(dstaddr, '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.|[fF][cCdD]|[fF][eE]80:|::1$)')
)
SELECT to_iso8601(g.flagged_at) AS eventtime,
       g.account,
       o.aws_region AS region,
       g.other_address AS sourceipaddress,
       g.instance_id AS principal,
       'ACCEPT egress after credential flag' AS eventname,
       concat('flagged-then-flow:', g.account, ':', g.instance_id, ':', to_iso8601(g.flagged_at), ':', o.dstaddr) AS eventid,
       o.dstaddr,
       sum(o.bytes) AS bytes,
       count(*) AS flows,
       concat(g.instance_id, ' -> ', o.dstaddr, ' after its credentials were used from ', g.other_address) AS detail
FROM flagged g
JOIN outbound o
  ON o.instance_id = g.instance_id
 AND o.aws_account_id = g.account
 AND o."start" >= to_unixtime(g.flagged_at)
 AND o."start" < to_unixtime(g.flagged_at) + 3600
GROUP BY g.flagged_at, g.account, o.aws_region, g.other_address, g.instance_id, o.dstaddr
ORDER BY eventtime
