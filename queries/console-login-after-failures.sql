-- id: console-login-after-failures
-- title: Successful console sign-in after repeated failures
-- severity: high
-- kind: correlation
-- tactics: TA0001, TA0006
-- techniques: T1110, T1078.004
-- description: A console sign-in succeeded after at least three failures for the same user in the hour before: a guessed or sprayed password that worked. Returns the failures and the success. Narrower than console-login-failures, which flags the failures whether or not one succeeded.
-- falsepositives: A person who forgot their password and finally got it right; password-manager mix-ups.
-- runbook: Ask the user; if they did not struggle to sign in, reset the password and MFA, revoke the session, and review what it did.
WITH logins AS (
    SELECT *, from_iso8601_timestamp(eventtime) AS event_at,
           -- Failed sign-ins name the user in userName (no arn); successes carry both.
           concat(coalesce(recipientaccountid, useridentity.accountid, account), ':', coalesce(useridentity.username, useridentity.arn, useridentity.principalid, '')) AS who,
           json_extract_scalar(responseelements, '$.ConsoleLogin') AS outcome
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'signin.amazonaws.com'
      AND eventname = 'ConsoleLogin'
), successes AS (
    SELECT s.eventid, s.who, s.event_at, count(DISTINCT f.eventid) AS failures, min(f.event_at) AS first_failure
    FROM logins s
    JOIN logins f ON f.who = s.who AND f.outcome = 'Failure' AND f.event_at <= s.event_at AND date_diff('minute', f.event_at, s.event_at) <= 60
    WHERE s.outcome = 'Success'
    GROUP BY s.eventid, s.who, s.event_at
    -- Three: one or two typos are normal; three and more before a success is guessing.
    HAVING count(DISTINCT f.eventid) >= 3
), spans AS (
    SELECT who, min(first_failure) AS first_at, max(event_at) AS last_at
    FROM successes
    GROUP BY who
)
SELECT l.eventtime, l.account, l.region, l.eventsource, l.eventname, l.useridentity.arn AS principal, l.sourceipaddress, l.useragent, l.eventid,
       concat(l.outcome, CASE WHEN l.outcome = 'Success' THEN ' after failures' ELSE concat(': ', coalesce(l.errormessage, '')) END) AS detail
FROM logins l
JOIN spans s ON l.who = s.who
WHERE l.event_at >= s.first_at AND l.event_at <= s.last_at
  AND l.outcome IN ('Failure', 'Success')
ORDER BY l.eventtime
