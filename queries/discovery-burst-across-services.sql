-- id: discovery-burst-across-services
-- title: Read-only enumeration across many services by one session
-- severity: medium
-- kind: threshold
-- role: context
-- tactics: TA0007
-- techniques: T1580, T1526, T1087.004
-- description: One session (principal and access key) made List/Describe/Get calls to many different services within the window: what a stolen key's first minutes look like (Pacu, ScoutSuite, cloudfox, enumerate-iam, Stratus Red Team discovery techniques). Read calls by AWS services on a principal's behalf are left out.
-- falsepositives: Security scanners and inventory tools (Prowler, ScoutSuite run by the security team, Config, CSPM products), an administrator browsing many console pages in one session; suppress their roles or user agents.
-- runbook: Check whether the session belongs to a known scanner; if not, see what it did after the enumeration (enumeration-then-sensitive-write), where it came from (sourceipaddress, useragent), and revoke it.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH reads AS (
    -- The columns used, not *: the engine materialises this CTE (read twice), and every column of every read cost most of the query.
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, errorcode,
           concat(coalesce(useridentity.arn, useridentity.principalid, ''), '|', coalesce(useridentity.accesskeyid, '')) AS session_key
    FROM cloudtrail
    WHERE ${window}
      AND regexp_like(eventname, '^(List|Describe|Get|Search|Lookup|BatchGet)')
      AND coalesce(managementevent, true)
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
      AND useridentity.invokedby IS NULL
), per_session AS (
    SELECT session_key, count(DISTINCT eventsource) AS services, count(DISTINCT concat(eventsource, ':', eventname)) AS actions
    FROM reads
    GROUP BY session_key
)
SELECT r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal, r.sourceipaddress, r.useragent, r.eventid,
       concat(CAST(p.actions AS varchar), ' read actions on ', CAST(p.services AS varchar), ' services in this session',
              CASE WHEN r.errorcode IS NULL THEN '' ELSE concat(' (', r.errorcode, ')') END) AS detail
FROM reads r
JOIN per_session p ON r.session_key = p.session_key
-- Eight services and twenty distinct actions: application roles touch two or three services with a handful of
-- actions; enumeration tools sweep IAM, EC2, S3, Lambda, RDS, Secrets Manager, SSM, KMS… in minutes.
WHERE p.services >= 8 AND p.actions >= 20
ORDER BY r.eventtime
