-- id: unauthorized-api-burst
-- title: Burst of access-denied API calls by one principal
-- severity: medium
-- kind: threshold
-- tactics: TA0007
-- techniques: T1580, T1526, T1087.004
-- description: One principal received access-denied errors on ten or more distinct calls within one hour: stolen credentials being tried out, or an attacker enumerating what they may do.
-- falsepositives: A misconfigured deployment or a tool probing optional permissions (Terraform, Prowler, ScoutSuite); suppress it by user agent or role.
-- runbook: See which calls failed and from where; if the principal is a person, ask them; if not expected, revoke the session (for a role, an inline deny on aws:TokenIssueTime) and rotate the keys.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH denied AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           errorcode AS detail,
           coalesce(useridentity.arn, useridentity.principalid, sourceipaddress) AS who,
           date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour,
           -- Copies of one event (a log file delivered or copied twice) count once; events without an id all count.
           CASE WHEN eventid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY eventid ORDER BY eventtime) END AS copy
    FROM cloudtrail
    WHERE ${window}
      AND (errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden')
           OR errorcode LIKE '%UnauthorizedOperation')
      -- AWS services calling on a principal's behalf (sourceIPAddress is their name) retry on their own.
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
), counted AS (
    -- Window functions over distinct events: a copied log file counts once, and nothing is joined on eventid.
    SELECT *, count(*) OVER (PARTITION BY account, who, hour) AS calls
    FROM denied
    WHERE copy = 1
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(cast(calls AS varchar), ' denied calls in the hour: ', detail) AS detail
FROM counted
WHERE calls >= 10
ORDER BY eventtime
