-- id: console-login-failures
-- title: Repeated console login failures
-- severity: medium
-- kind: threshold
-- tactics: TA0006
-- techniques: T1110, T1110.001, T1110.003
-- description: Three or more failed console sign-ins for one user, or from one address, within the window: password guessing or spraying.
-- falsepositives: A user who forgot a rotated password; a shared office NAT address.
-- runbook: Ask the user; if they did not try, reset the password, require MFA, and block the source address; check for a later successful login from it.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH failures AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           errormessage AS detail,
           coalesce(useridentity.username, useridentity.arn, useridentity.principalid) AS who,
           -- Copies of one event (a log file delivered or copied twice) count once; events without an id all count.
           CASE WHEN eventid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY eventid ORDER BY eventtime) END AS copy
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'signin.amazonaws.com'
      AND eventname = 'ConsoleLogin'
      AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'
), counted AS (
    SELECT *,
           count(*) OVER (PARTITION BY account, who) AS per_user,
           count(*) OVER (PARTITION BY sourceipaddress) AS per_address
    FROM failures
    WHERE copy = 1
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', cast(per_user AS varchar), 'failures for the user,', cast(per_address AS varchar), 'from the address:', detail) AS detail
FROM counted
WHERE per_user >= 3 OR per_address >= 3
ORDER BY eventtime
