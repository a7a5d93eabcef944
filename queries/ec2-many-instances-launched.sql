-- id: ec2-many-instances-launched
-- title: Many instances launched at once or by one principal
-- severity: high
-- kind: threshold
-- tactics: TA0040, TA0005
-- techniques: T1496.001, T1578.002
-- description: A RunInstances call asked for many instances (maxCount), or one principal asked for many instances in total within the window: compute hijacking launches as many as the quota allows. Failed calls count (quota errors are the usual first answer to an attacker).
-- falsepositives: Batch and HPC jobs, load tests, blue/green deployments run by a person; Auto Scaling is left out (it calls from an amazonaws.com address).
-- runbook: Check who launched what (detail: instance count and type); terminate unexpected instances in every region and revoke the caller.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH launches AS (
    -- The columns used, not *: the engine materialises this CTE (read twice).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           json_extract_scalar(requestparameters, '$.instanceType') AS instance_type,
           coalesce(useridentity.arn, useridentity.principalid) AS who,
           coalesce(try_cast(json_extract_scalar(requestparameters, '$.instancesSet.items[0].maxCount') AS integer),
                    try_cast(json_extract_scalar(requestparameters, '$.instancesSet.items[0].minCount') AS integer), 1) AS asked
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'ec2.amazonaws.com'
      AND eventname = 'RunInstances'
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND useridentity.invokedby IS NULL
), per_principal AS (
    SELECT who, sum(asked) AS instances
    FROM (SELECT DISTINCT eventid, who, asked FROM launches) AS distinct_launches
    GROUP BY who
)
SELECT l.eventtime, l.account, l.region, l.eventsource, l.eventname, l.principal, l.sourceipaddress, l.useragent, l.eventid,
       concat(CAST(l.asked AS varchar), ' x ', coalesce(l.instance_type, 'launch template type'),
              ' (', CAST(p.instances AS varchar), ' asked by this principal)',
              CASE WHEN l.errorcode IS NULL THEN '' ELSE concat(', attempt: ', l.errorcode) END) AS detail
FROM launches l
JOIN per_principal p ON l.who = p.who
-- Ten in one call or twenty in the window: people launch a few by hand; quota-filling starts in the tens.
WHERE l.asked >= 10 OR p.instances >= 20
ORDER BY l.eventtime
