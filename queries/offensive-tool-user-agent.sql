-- id: offensive-tool-user-agent
-- title: API calls from a penetration-testing distribution or attack tool
-- severity: high
-- kind: event
-- role: context
-- tactics: TA0001, TA0007
-- techniques: T1078.004, T1087.004
-- description: The user agent names an attack tool (TruffleHog's key verifier, Pacu, Stratus Red Team) or a penetration-testing Linux distribution (Kali, Parrot, Pentoo, which botocore and the AWS CLI put in the OS part of the agent): the calls come from someone testing or attacking with those credentials (GuardDuty PenTest:IAMUser/* findings).
-- falsepositives: Authorised penetration tests and red-team exercises; security staff running TruffleHog on their own keys.
-- runbook: Check whether a test is scheduled; if not, treat the key as stolen: deactivate it or revoke the sessions, and review every call it made.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       regexp_extract(lower(useragent), '(kali|parrot|pentoo|trufflehog|pacu|stratus-red-team)', 1) AS detail
FROM cloudtrail
WHERE ${window}
  -- Whole words only: "kali" inside a longer word (e.g. "kalium") is not a distribution.
  AND regexp_like(lower(coalesce(useragent, '')), '(^|[^a-z])(kali|parrot|pentoo|trufflehog|pacu)([^a-z]|$)|stratus-red-team')
ORDER BY eventtime
