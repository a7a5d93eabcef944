-- id: ec2-instance-credentials-used-elsewhere
-- title: Instance-profile credentials used from a second address
-- severity: high
-- kind: correlation
-- tactics: TA0006, TA0001
-- techniques: T1552.005, T1078.004
-- description: An instance profile's session (principalId ending in :i-<instance id>) called AWS from a public address other than the one it first used in the window: credentials taken from the instance metadata service and used elsewhere (GuardDuty's InstanceCredentialExfiltration, without AWS's IP list). Calls through VPC endpoints and by AWS services are left out.
-- falsepositives: An instance whose egress changes address within the window (NAT gateway with several Elastic IPs, an Elastic IP attached or released, IPv6 and IPv4 egress); containers on the instance using its role through a proxy.
-- runbook: Compare the addresses with the instance's public/NAT addresses; if one is foreign, revoke the role's active sessions (AWSRevokeOlderSessions), rotate anything the role can read, and investigate how the metadata service was reached (SSRF, IMDSv1).
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH calls AS (
    -- The columns used, not *: the engine materialises this CTE (read more than once).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, useridentity.principalid AS session_key, sourceipaddress,
           useragent, eventid
    FROM cloudtrail
    WHERE ${window}
      AND useridentity.type = 'AssumedRole'
      AND regexp_like(useridentity.principalid, ':i-[0-9a-f]{8,17}$')
      -- Only literal addresses: AWS services log their name here, and 'AWS Internal' for internal calls.
      AND regexp_like(coalesce(sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F]*:[0-9a-fA-F:]+$')
      AND vpcendpointid IS NULL
      -- A service acting for the instance (invokedBy) calls from its own addresses.
      AND useridentity.invokedby IS NULL
), first_call AS (
    SELECT session_key, min(from_iso8601_timestamp(eventtime)) AS first_seen
    FROM calls
    GROUP BY session_key
), home AS (
    -- The address of the session's first call in the window stands for the instance.
    SELECT c.session_key, min(c.sourceipaddress) AS home_address
    FROM calls c
    JOIN first_call f ON c.session_key = f.session_key AND from_iso8601_timestamp(c.eventtime) = f.first_seen
    GROUP BY c.session_key
)
SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.principal, c.sourceipaddress, c.useragent, c.eventid,
       concat('instance ', regexp_extract(c.session_key, 'i-[0-9a-f]+$'), ' first called from ', h.home_address) AS detail
FROM calls c
JOIN home h ON c.session_key = h.session_key
WHERE c.sourceipaddress <> h.home_address
ORDER BY c.eventtime
