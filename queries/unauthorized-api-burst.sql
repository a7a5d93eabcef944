-- name: unauthorized-api-burst
-- title: Burst of unauthorised API calls
-- severity: medium
-- mitre: T1580 Cloud Infrastructure Discovery
-- description: A principal received access-denied errors on five or more calls within the window: stolen credentials being tried out, or reconnaissance.
WITH denied AS (
    SELECT *
    FROM cloudtrail
    WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
      AND eventtime >= '${since}' AND eventtime < '${until}'
      AND (errorcode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess')
           OR errorcode LIKE '%UnauthorizedOperation')
      -- AWS services calling on a principal's behalf (sourceIPAddress is their name) retry on their own.
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
), bursts AS (
    SELECT eventid, count(*) OVER (PARTITION BY account, coalesce(useridentity.arn, useridentity.principalid, sourceipaddress)) AS calls
    FROM denied
)
SELECT d.eventtime, d.account, d.region, d.eventsource, d.eventname, d.useridentity.arn AS principal, d.sourceipaddress, d.eventid,
       d.errorcode AS detail
FROM denied d JOIN bursts b ON d.eventid = b.eventid
WHERE b.calls >= 5
ORDER BY d.eventtime
