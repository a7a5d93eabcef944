-- name: console-login-failures
-- title: Repeated failed console logins
-- severity: medium
-- mitre: T1110 Brute Force
-- description: Three or more failed console sign-ins for the same user, or from the same address, within the window.
WITH failures AS (
    SELECT *
    FROM cloudtrail
    WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
      AND eventtime >= '${since}' AND eventtime < '${until}'
      AND eventname = 'ConsoleLogin'
      AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'
), repeated AS (
    SELECT eventid,
           count(*) OVER (PARTITION BY account, coalesce(useridentity.username, useridentity.arn, useridentity.principalid)) AS per_user,
           count(*) OVER (PARTITION BY sourceipaddress) AS per_address
    FROM failures
)
SELECT f.eventtime, f.account, f.region, f.eventsource, f.eventname, f.useridentity.arn AS principal, f.sourceipaddress, f.eventid,
       f.errormessage AS detail
FROM failures f JOIN repeated r ON f.eventid = r.eventid
WHERE r.per_user >= 3 OR r.per_address >= 3
ORDER BY f.eventtime
