-- id: first-seen-user-agent-family
-- title: A principal called AWS with a kind of client it had not used in the lookback
-- severity: low
-- kind: correlation
-- lookback: 14d
-- tactics: TA0001, TA0002
-- techniques: T1078.004, T1059.009
-- description: A principal (a user, root, an Identity Center session, or a role across all its sessions) used a family of client it had not used in the lookback, while it had been active for at least a day: a key that only Terraform used now driven by the AWS CLI, a Lambda role that only Boto3 used now calling from the Go SDK. Families, not exact strings: versions, operating systems and command suffixes change every week (console, aws-cli, boto3, botocore, terraform, aws-sdk-java/-go/-js/…, powershell, else the agent's first word). Elastic's new-terms rules on user_agent.original per user, made robust to versions.
-- falsepositives: A person starting to script what they did in the console, a pipeline moved to another tool, an SDK upgrade that renames its agent; suppress by principal.
-- runbook: Compare the new client's calls with the principal's usual ones (what, from where); if the principal would not use that client, treat the credentials as stolen: revoke them and review the calls.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH activity AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           from_iso8601_timestamp(eventtime) AS event_at,
           -- A role's sessions are one principal (their names change per run); an Identity Center session is one person.
           CASE WHEN useridentity.type = 'AssumedRole' AND NOT regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/AWSReservedSSO_')
                     AND NOT regexp_like(coalesce(useridentity.sessioncontext.sessionissuer.arn, ''), ':role/aws-reserved/sso\.amazonaws\.com/')
                THEN coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)
                ELSE coalesce(useridentity.arn, concat(coalesce(recipientaccountid, ''), ':', coalesce(useridentity.principalid, useridentity.username, ''))) END AS who,
           CASE WHEN coalesce(useragent, '') = '' THEN 'none'
                -- The console and the browser behind it write several agents: AWS Internal, signin/console.amazonaws.com, AWSConsole, [Mozilla/…].
                WHEN regexp_like(lower(useragent), '^(signin|console)\.amazonaws\.com|^aws internal|^awsconsole|^\[?mozilla/') THEN 'console'
                WHEN regexp_like(lower(useragent), '^aws-cli/') THEN 'aws-cli'
                WHEN regexp_like(lower(useragent), 'terraform|hashicorp') THEN 'terraform'
                WHEN regexp_like(lower(useragent), 'aws-cdk|cloudformation') THEN 'cloudformation'
                WHEN regexp_like(lower(useragent), '^boto3/') THEN 'boto3'
                WHEN regexp_like(lower(useragent), '^botocore/') THEN 'botocore'
                WHEN regexp_like(lower(useragent), 'aws-sdk-[a-z]+') THEN regexp_extract(lower(useragent), '(aws-sdk-[a-z]+)', 1)
                WHEN regexp_like(lower(useragent), 'awspowershell|aws-tools-for-powershell') THEN 'powershell'
                WHEN regexp_like(useragent, '\.amazonaws\.com$') THEN lower(useragent)
                -- Else the agent's leading words: python-requests/2.31 and Go-http-client/1.1 are one family each, and a
                -- tool that appends a run id (name_<uuid>) or a version (name-1.2) is one family, not a new one per run.
                ELSE coalesce(regexp_extract(lower(useragent), '^\[?([a-z]+(?:-[a-z]+)*)', 1), 'other') END AS family
    FROM cloudtrail
    WHERE (${history} OR ${window})
      -- Services calling on a principal's behalf bring their own agent.
      AND useridentity.invokedby IS NULL
      AND coalesce(sourceipaddress, '') NOT LIKE '%amazonaws.com'
      AND coalesce(useridentity.type, '') NOT IN ('AWSService', 'AWSAccount')
), active_days AS (
    -- The days the principal was active, each with the one before: its baseline is an earlier day inside the lookback.
    SELECT who, day, lag(day) OVER (PARTITION BY who ORDER BY day) AS previous_day
    FROM (SELECT DISTINCT who, substr(eventtime, 1, 10) AS day FROM activity) days
), blocks AS (
    -- Each principal's calls of a family in blocks of one lookback (counted from 1970): only the first call of a block can be
    -- new, as any other follows one less than a lookback before it, and the call before the first is the last of the block
    -- before. So blocks are compared, not every call with the one before it: that took sorting every call of the input.
    SELECT who, family, min(event_at) AS first_at, max(event_at) AS last_at
    FROM activity
    GROUP BY who, family, floor(to_unixtime(event_at) / to_unixtime(from_unixtime(0) + ${lookback}))
), new_blocks AS (
    SELECT who, family, first_at
    FROM (SELECT who, family, first_at, lag(last_at) OVER (PARTITION BY who, family ORDER BY first_at) AS previous_at FROM blocks) sequenced_blocks
    WHERE previous_at IS NULL OR previous_at < first_at - ${lookback}
), firsts AS (
    -- The block's first call; of calls in the same instant, the one with the lowest event id (the order of time, then id).
    SELECT a.*, d.previous_day, row_number() OVER (PARTITION BY a.who, a.family, a.event_at ORDER BY a.eventid) AS nth
    FROM activity a
    JOIN new_blocks n ON n.who = a.who AND n.family = a.family AND n.first_at = a.event_at
    JOIN active_days d ON d.who = a.who AND d.day = substr(a.eventtime, 1, 10)
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat('first ', family, ' call by ', who, ' in the lookback; principal also active on ', previous_day) AS detail
FROM firsts
WHERE nth = 1
  AND event_at >= from_iso8601_timestamp('${since}')
  -- A baseline: the principal was active on an earlier day inside the lookback (a new or long-dormant one has none).
  AND previous_day IS NOT NULL
  AND previous_day >= substr(to_iso8601(from_iso8601_timestamp(eventtime) - ${lookback}), 1, 10)
ORDER BY eventtime
