-- id: access-denied-across-services
-- title: Access denied on many different services for one principal
-- severity: high
-- kind: threshold
-- tactics: TA0007
-- techniques: T1580, T1526
-- description: One principal was refused calls on at least three different services within the window: credentials being tried out to learn what they can do (enumerate-iam, Pacu, Stratus Red Team discovery). Narrower than unauthorized-api-burst, which counts denials on a single service too (a misconfigured application retrying one call).
-- falsepositives: A new role whose policy is being developed, an SDK probing optional features, CSPM scanners with partial permissions.
-- runbook: Look at what the principal tried and from where; if it is not a deployment in progress, treat the credentials as stolen: deactivate the key or revoke the role's sessions.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH denied AS (
    -- The columns used, not *: the engine materialises this CTE (read twice).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           coalesce(useridentity.arn, useridentity.principalid, sourceipaddress) AS who
    FROM cloudtrail
    WHERE ${window}
      AND (errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess', 'AuthorizationError', 'Forbidden')
           OR errorcode LIKE '%UnauthorizedOperation' OR errorcode LIKE '%AccessDenied%')
      -- AWS services calling on a principal's behalf retry on their own.
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
), per_principal AS (
    SELECT account AS who_account, who, count(DISTINCT eventsource) AS services, count(DISTINCT eventid) AS calls
    FROM denied
    GROUP BY account, who
)
SELECT d.eventtime, d.account, d.region, d.eventsource, d.eventname, d.principal, d.sourceipaddress, d.useragent, d.eventid,
       concat(d.errorcode, ' (', CAST(p.calls AS varchar), ' denied calls on ', CAST(p.services AS varchar), ' services)') AS detail
FROM denied d
JOIN per_principal p ON d.account = p.who_account AND d.who = p.who
-- Three services and five calls: one application missing one permission fails on one service; probing fails on many.
WHERE p.services >= 3 AND p.calls >= 5
ORDER BY d.eventtime
