-- id: ec2-user-data-read-in-bulk
-- title: User data of many instances read
-- severity: medium
-- kind: threshold
-- tactics: TA0006, TA0007
-- techniques: T1552, T1580
-- description: One principal read the user data (DescribeInstanceAttribute attribute userData) of several instances within the window: start-up scripts often hold passwords and keys (Stratus Red Team ec2-download-user-data, Pacu ec2__download_userdata).
-- falsepositives: Configuration audits, an operator debugging a launch template on a few instances.
-- runbook: Check the caller; if unexpected, review the user data it read for secrets, rotate them, and revoke the session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH reads AS (
    -- The columns used, not *: the engine materialises this CTE (read more than once).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           json_extract_scalar(requestparameters, '$.instanceId') AS instance_id, coalesce(useridentity.arn, useridentity.principalid) AS who
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'ec2.amazonaws.com'
      AND eventname = 'DescribeInstanceAttribute'
      AND json_extract_scalar(requestparameters, '$.attribute') = 'userData'
      -- Denied reads count: trying every instance is the behaviour.
      AND (errorcode IS NULL OR errorcode LIKE '%UnauthorizedOperation')
), per_principal AS (
    SELECT who, count(DISTINCT instance_id) AS instances
    FROM reads
    GROUP BY who
)
SELECT r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal, r.sourceipaddress, r.useragent, r.eventid,
       concat(coalesce(r.instance_id, '?'), ' (', CAST(p.instances AS varchar), ' instances by this principal)') AS detail
FROM reads r
JOIN per_principal p ON r.who = p.who
-- Three instances: debugging looks at one or two; tools read all of them.
WHERE p.instances >= 3
ORDER BY r.eventtime
