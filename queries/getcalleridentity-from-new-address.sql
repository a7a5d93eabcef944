-- id: getcalleridentity-from-new-address
-- title: GetCallerIdentity from an address new for the principal
-- severity: medium
-- kind: correlation
-- tactics: TA0007, TA0001
-- techniques: T1087.004, T1078.004
-- description: A principal already active in the window from other addresses called sts:GetCallerIdentity as its first call from a new address: "whoami" is the first thing anyone does with a key they just obtained (TruffleHog, Pacu, aws sts get-caller-identity). First-seen is per principal within the window, so a longer window knows more addresses.
-- falsepositives: A person moving between networks (home, office, VPN) who checks their identity first; CI runners on changing addresses.
-- runbook: Compare the new address and user agent with the principal's usual ones; if foreign, deactivate the key or revoke the sessions and look at everything the new address did next.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH calls AS (
    -- The columns read below, not *: the engine materialises a CTE read three times, and every column of every event made it the slowest.
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           coalesce(useridentity.arn, useridentity.principalid) AS who, from_iso8601_timestamp(eventtime) AS event_at
    FROM cloudtrail
    WHERE ${window}
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND sourceipaddress <> 'AWS Internal'
      AND useridentity.invokedby IS NULL
), first_from_address AS (
    SELECT who, sourceipaddress, min(event_at) AS first_at
    FROM calls
    GROUP BY who, sourceipaddress
), first_of_principal AS (
    SELECT who, min(event_at) AS first_at
    FROM calls
    GROUP BY who
)
SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.principal, c.sourceipaddress, c.useragent, c.eventid,
       concat('first call from this address; principal active since ', CAST(p.first_at AS varchar)) AS detail
FROM calls c
JOIN first_from_address a ON c.who = a.who AND c.sourceipaddress = a.sourceipaddress AND c.event_at = a.first_at
JOIN first_of_principal p ON c.who = p.who
WHERE c.eventsource = 'sts.amazonaws.com'
  AND c.eventname = 'GetCallerIdentity'
  -- The principal was seen before from elsewhere: without history, every principal's first call would fire.
  AND p.first_at < a.first_at
ORDER BY c.eventtime
