-- id: console-login-after-failures
-- title: Successful console sign-in after repeated failures
-- severity: high
-- kind: correlation
-- tactics: TA0001, TA0006
-- techniques: T1110, T1078.004
-- description: A console sign-in succeeded after at least three failures for the same user in the hour before: a guessed or sprayed password that worked. Returns the failures and the success. Narrower than console-login-failures, which flags the failures whether or not one succeeded.
-- falsepositives: A person who forgot their password and finally got it right; password-manager mix-ups.
-- runbook: Ask the user; if they did not struggle to sign in, reset the password and MFA, revoke the session, and review what it did.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-26
WITH logins AS (
    -- The columns used, not *: the sort below carries every column it is given.
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errormessage,
           from_iso8601_timestamp(eventtime) AS event_at,
           -- Failed sign-ins name the user in userName (no arn); successes carry both.
           concat(coalesce(recipientaccountid, useridentity.accountid, account), ':', coalesce(useridentity.username, useridentity.arn, useridentity.principalid, '')) AS who,
           json_extract_scalar(responseelements, '$.ConsoleLogin') AS outcome,
           -- Copies of one event (a log file delivered or copied twice) count once; events without an id all count.
           CASE WHEN eventid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY eventid ORDER BY eventtime) END AS copy
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'signin.amazonaws.com'
      AND eventname = 'ConsoleLogin'
), attempts AS (
    -- failures_in_hour: the user's failures from 60 minutes before this sign-in up to it (both ends included, as are
    -- other sign-ins of the same second). One sort per user and a sliding count (count/sum remove rows leaving the
    -- frame in Trino, a segment tree in DuckDB), instead of a self-join that paired every success with every failure
    -- of the user: a sprayed user with 20,000 failures and successes took 17 s here, an hour on a bigger folder.
    -- The hour is exactly 60 minutes on both engines; the former date_diff('minute') <= 60 also took up to 60 min 59 s
    -- on Trino, and on DuckDB counted minute boundaries crossed.
    SELECT *, sum(CASE WHEN outcome = 'Failure' THEN 1 ELSE 0 END) OVER (
                  PARTITION BY who ORDER BY event_at RANGE BETWEEN INTERVAL '60' MINUTE PRECEDING AND CURRENT ROW) AS failures_in_hour
    FROM logins
    WHERE copy = 1
      AND outcome IN ('Failure', 'Success')
), spans AS (
    -- Three: one or two typos are normal; three and more before a success is guessing.
    SELECT who, min(event_at) AS first_success_at, max(event_at) AS last_at
    FROM attempts
    WHERE outcome = 'Success' AND failures_in_hour >= 3
    GROUP BY who
), starts AS (
    -- The span starts at the first failure of the first such success's hour (later successes' hours start later).
    -- One row per user on the right: the join stays linear.
    SELECT s.who, min(a.event_at) AS first_at, s.last_at
    FROM spans s
    JOIN attempts a ON a.who = s.who
    WHERE a.outcome = 'Failure' AND a.event_at >= s.first_success_at - INTERVAL '60' MINUTE
    GROUP BY s.who, s.last_at
)
SELECT l.eventtime, l.account, l.region, l.eventsource, l.eventname, l.principal, l.sourceipaddress, l.useragent, l.eventid,
       concat(l.outcome, CASE WHEN l.outcome = 'Success' THEN ' after failures' ELSE concat(': ', coalesce(l.errormessage, '')) END) AS detail
FROM attempts l
JOIN starts s ON l.who = s.who
WHERE l.event_at >= s.first_at AND l.event_at <= s.last_at
ORDER BY l.eventtime
