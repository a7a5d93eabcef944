-- id: console-login-from-new-address
-- title: Console sign-in from an address new for the principal
-- severity: medium
-- kind: correlation
-- tactics: TA0001
-- techniques: T1078.004
-- description: A successful ConsoleLogin came from an address the principal had not used before in the window, while it had been active from other addresses earlier: a password (or SSO session) used from a new place. First-seen is per principal within the window; a longer window (7-30 days) makes it meaningful.
-- falsepositives: Travel, new home or mobile networks, VPN exits that rotate; suppress corporate egress ranges by source CIDR.
-- runbook: Ask the person whether the sign-in was theirs (time, address, user agent); if not, reset the password and MFA, revoke the console sessions, and review what the session did.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH activity AS (
    -- The columns read below, not *: the engine materialises a CTE read three times, and every column of every event made it the slowest.
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           CASE WHEN eventname = 'ConsoleLogin' THEN json_extract_scalar(responseelements, '$.ConsoleLogin') END AS console_login,
           coalesce(useridentity.arn, concat(coalesce(recipientaccountid, ''), ':', coalesce(useridentity.username, useridentity.principalid, ''))) AS who,
           from_iso8601_timestamp(eventtime) AS event_at
    FROM cloudtrail
    WHERE ${window}
      AND regexp_like(coalesce(sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F]*:[0-9a-fA-F:]+$')
      AND useridentity.invokedby IS NULL
), first_from_address AS (
    SELECT who, sourceipaddress, min(event_at) AS first_at
    FROM activity
    GROUP BY who, sourceipaddress
), first_of_principal AS (
    SELECT who, min(event_at) AS first_at
    FROM activity
    GROUP BY who
)
SELECT a.eventtime, a.account, a.region, a.eventsource, a.eventname, a.principal, a.sourceipaddress, a.useragent, a.eventid,
       concat('first activity from this address; principal active since ', CAST(p.first_at AS varchar)) AS detail
FROM activity a
JOIN first_from_address f ON a.who = f.who AND a.sourceipaddress = f.sourceipaddress AND a.event_at = f.first_at
JOIN first_of_principal p ON a.who = p.who
WHERE a.eventname = 'ConsoleLogin'
  AND a.console_login = 'Success'
  AND p.first_at < f.first_at
ORDER BY a.eventtime
