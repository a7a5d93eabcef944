-- id: first-seen-network-for-principal
-- title: A person's credentials used from a network they had not used in the lookback
-- severity: medium
-- kind: correlation
-- lookback: 14d
-- tactics: TA0001
-- techniques: T1078.004
-- description: An IAM user, the root user or an IAM Identity Center session called AWS from a network (the /24 of an IPv4 address, the /48 of an IPv6 one) it had not called from in the lookback, while it had been active for at least a day: a password, access key or SSO session used from a new place (Elastic's new-terms rule on source.ip per user; GuardDuty's UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B). One finding per principal and new network, on its first call from there. Roles' own sessions (workloads, CI runners) are left out: they move between networks by design.
-- falsepositives: Travel, a new home or mobile network, VPN exits that rotate, a cloud desktop; suppress corporate egress ranges by source CIDR.
-- runbook: Ask the person whether the activity was theirs (time, network, user agent); if not, deactivate the key or reset the password and MFA, revoke the sessions, and review everything the principal did from that network.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH activity AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           from_iso8601_timestamp(eventtime) AS event_at,
           -- One person: an IAM user or root by ARN, an Identity Center session by its ARN (the session name is the user).
           coalesce(useridentity.arn, concat(coalesce(recipientaccountid, ''), ':', coalesce(useridentity.principalid, useridentity.username, ''))) AS who,
           CASE WHEN strpos(sourceipaddress, ':') = 0 THEN concat(regexp_extract(sourceipaddress, '^([0-9]+\.[0-9]+\.[0-9]+)\.', 1), '.0/24')
                -- /48 of the address as written; CloudTrail writes IPv6 compressed, the same way for one address.
                ELSE concat(lower(split_part(sourceipaddress, ':', 1)), ':', lower(split_part(sourceipaddress, ':', 2)), ':', lower(split_part(sourceipaddress, ':', 3)), '::/48') END AS network
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND regexp_like(coalesce(sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F]{0,4}:[0-9a-fA-F:.]+$')
      AND useridentity.invokedby IS NULL
      AND (useridentity.type IN ('IAMUser', 'Root', 'IdentityCenterUser')
           OR (useridentity.type = 'AssumedRole' AND (regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                                                      OR regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/'))))
), active_days AS (
    -- The days the principal was active, each with the one before: its baseline is an earlier day inside the lookback.
    SELECT who, day, lag(day) OVER (PARTITION BY who ORDER BY day) AS previous_day
    FROM (SELECT DISTINCT who, substr(eventtime, 1, 10) AS day FROM activity) days
), blocks AS (
    -- Each principal's calls from a network in blocks of one lookback (counted from 1970): only the first call of a block can
    -- be new, as any other follows one less than a lookback before it, and the call before the first is the last of the block
    -- before. So blocks are compared, not every call with the one before it: that took sorting every call of the input.
    SELECT who, network, min(event_at) AS first_at, max(event_at) AS last_at
    FROM activity
    GROUP BY who, network, floor(to_unixtime(event_at) / to_unixtime(from_unixtime(0) + ${lookback}))
), new_blocks AS (
    SELECT who, network, first_at
    FROM (SELECT who, network, first_at, lag(last_at) OVER (PARTITION BY who, network ORDER BY first_at) AS previous_at FROM blocks) sequenced_blocks
    WHERE previous_at IS NULL OR previous_at < first_at - ${lookback}
), firsts AS (
    -- The block's first call; of calls in the same instant, the one with the lowest event id (the order of time, then id).
    SELECT a.*, d.previous_day, row_number() OVER (PARTITION BY a.who, a.network, a.event_at ORDER BY a.eventid) AS nth
    FROM activity a
    -- IS NOT DISTINCT FROM: Trino's split_part gives NULL for a missing group, so an odd IPv6 address has a NULL network.
    JOIN new_blocks n ON n.who = a.who AND n.network IS NOT DISTINCT FROM a.network AND n.first_at = a.event_at
    JOIN active_days d ON d.who = a.who AND d.day = substr(a.eventtime, 1, 10)
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat('first call from ', network, ' in the lookback; principal also active on ', previous_day) AS detail
FROM firsts
WHERE nth = 1
  AND event_at >= from_iso8601_timestamp('${since}')
  -- A baseline: the principal was active on an earlier day inside the lookback (a new or long-dormant one has none).
  AND previous_day IS NOT NULL
  AND previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
ORDER BY eventtime
