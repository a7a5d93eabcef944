-- id: service-credentials-used-elsewhere
-- title: Credentials issued to an AWS service's workload used outside it
-- severity: high
-- kind: correlation
-- tactics: TA0006, TA0001
-- techniques: T1552.005, T1078.004
-- description: Temporary credentials that an AWS service obtained for a workload - AssumeRole by lambda, ecs-tasks, codebuild, glue, pods.eks, sagemaker, states, batch or another service principal (the role's trust), or a session whose own calls carry a runtime's exec-env/AWS_… user agent - then used by the same access key either from a public address in none of AWS's published ranges, or with a user agent of another runtime (no exec-env of the workload's) from an address the workload never used: the workload's credentials were copied out (environment variables of a function or container, the container credentials endpoint, a build log) and replayed by something else, inside or outside AWS. EC2 instance profiles are left to workload-credentials-used-outside-aws.
-- falsepositives: A function or container running a tool that does not add exec-env to its user agent (a custom runtime, a shelled-out binary) from a new NAT address; a workload whose egress leaves through an on-premises proxy. Suppress by role with the reason.
-- runbook: Identify the workload from the issuing event (role, session name = function, task or build); revoke the role's sessions, redeploy the workload with new credentials, rotate what the role can read, look for where the credentials were exposed (environment dump, SSRF to the container credentials endpoint, build logs) and follow the access key across accounts (npm start -- investigate).
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH issued AS (
    -- Credentials an AWS service asked STS for, in the role's account: the access key ties later calls to the workload.
    SELECT json_extract_scalar(responseelements, '$.credentials.accessKeyId') AS access_key,
           coalesce(useridentity.invokedby, sourceipaddress) AS issued_to,
           json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole' AND errorcode IS NULL
      AND useridentity.type = 'AWSService'
      AND coalesce(useridentity.invokedby, sourceipaddress) LIKE '%.amazonaws.com'
      AND coalesce(useridentity.invokedby, sourceipaddress) <> 'ec2.amazonaws.com'
), runtime AS (
    -- Access keys whose calls name the runtime they run in (AWS SDKs append AWS_EXECUTION_ENV as exec-env/…).
    SELECT useridentity.accesskeyid AS access_key, useridentity.arn AS principal,
           min(regexp_extract(useragent, 'exec-env/(AWS_[A-Za-z]+)', 1)) AS runtime_family
    FROM cloudtrail
    WHERE ${window}
      AND useridentity.type = 'AssumedRole'
      AND regexp_like(coalesce(useragent, ''), 'exec-env/AWS_[A-Za-z]+')
      AND useridentity.sessioncontext.ec2roledelivery IS NULL
    GROUP BY useridentity.accesskeyid, useridentity.arn
), workload_keys AS (
    SELECT coalesce(i.access_key, r.access_key) AS access_key, r.principal,
           CASE WHEN i.access_key IS NOT NULL THEN concat(i.issued_to, ' session ', coalesce(i.session_name, '?'))
                ELSE concat('a workload of runtime ', r.runtime_family) END AS workload,
           r.runtime_family
    FROM issued i
    FULL OUTER JOIN runtime r ON r.access_key = i.access_key
    WHERE coalesce(i.access_key, r.access_key) IS NOT NULL
), calls AS (
    -- The columns used, not c.*: the engine materialises this CTE (read twice below), and every column of every call cost most of the query.
    SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.useridentity.arn AS principal, c.useridentity.accesskeyid AS access_key,
           c.sourceipaddress, c.useragent, c.eventid, w.workload, w.runtime_family
    FROM cloudtrail c
    -- A key known from its runtime is matched with its session too: published samples reuse placeholder keys.
    JOIN workload_keys w ON w.access_key = c.useridentity.accesskeyid AND (w.principal IS NULL OR w.principal = c.useridentity.arn)
    WHERE ${window}
      AND c.useridentity.type = 'AssumedRole'
      AND c.useridentity.invokedby IS NULL
      AND c.vpcendpointid IS NULL
      AND coalesce(c.sessioncredentialfromconsole, false) = false
      AND regexp_like(coalesce(c.sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$')
      AND NOT regexp_like(lower(c.sourceipaddress), '^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|::1$|f[cd]|fe[89ab])')
), home AS (
    -- Addresses the workload itself called from (calls with its runtime's user agent).
    SELECT DISTINCT access_key, sourceipaddress AS home_address
    FROM calls
    WHERE runtime_family IS NOT NULL AND strpos(coalesce(useragent, ''), concat('exec-env/', runtime_family)) > 0
), addressed AS (
    SELECT *, CASE WHEN lower(sourceipaddress) LIKE '::ffff:%.%' THEN substr(sourceipaddress, 8) ELSE lower(sourceipaddress) END AS address
    FROM calls
), padded AS (
    SELECT *, concat(CASE WHEN address LIKE ':%' THEN '0' ELSE '' END, address, CASE WHEN address LIKE '%:' THEN '0' ELSE '' END) AS address_padded
    FROM addressed
), expanded AS (
    SELECT *, replace(address_padded, '::', concat(':', substr('0:0:0:0:0:0:0:0:', 1, 2 * (8 - (length(address_padded) - length(replace(address_padded, ':', ''))))))) AS address_expanded
    FROM padded
), keyed AS (
    SELECT *, CASE WHEN strpos(address, ':') > 0 THEN concat(lpad(split_part(address_expanded, ':', 1), 4, '0'), lpad(split_part(address_expanded, ':', 2), 4, '0'), lpad(split_part(address_expanded, ':', 3), 4, '0'), lpad(split_part(address_expanded, ':', 4), 4, '0'), lpad(split_part(address_expanded, ':', 5), 4, '0'), lpad(split_part(address_expanded, ':', 6), 4, '0'), lpad(split_part(address_expanded, ':', 7), 4, '0'), lpad(split_part(address_expanded, ':', 8), 4, '0')) ELSE concat(lpad(split_part(address, '.', 1), 3, '0'), lpad(split_part(address, '.', 2), 3, '0'), lpad(split_part(address, '.', 3), 3, '0'), lpad(split_part(address, '.', 4), 3, '0')) END AS address_key
    FROM expanded
), inside_aws AS (
    -- Keys of the addresses that fall in one of AWS's published ranges (contract/awsIpRanges.ts): an
    -- equality join on the bucket (first octet, first 32 bits of IPv6), then the range test on the key.
    SELECT DISTINCT k.address_key
    FROM (SELECT DISTINCT address_key, substr(address_key, 1, CASE WHEN length(address_key) = 12 THEN 3 ELSE 8 END) AS bucket FROM keyed) k
    JOIN aws_ip_ranges r ON r.bucket = k.bucket AND k.address_key BETWEEN r.first_key AND r.last_key
)
SELECT k.eventtime, k.account, k.region, k.eventsource, k.eventname, k.principal, k.sourceipaddress, k.useragent, k.eventid,
       CASE WHEN a.address_key IS NULL
            THEN concat('credentials of ', k.workload, ' used from ', k.sourceipaddress, ', outside AWS')
            ELSE concat('credentials of ', k.workload, ' used from ', k.sourceipaddress, ' by another runtime (no exec-env/', k.runtime_family, ' in its user agent), an address the workload never called from')
       END AS detail
FROM keyed k
LEFT JOIN inside_aws a ON a.address_key = k.address_key
LEFT JOIN home h ON h.access_key = k.access_key AND h.home_address = k.sourceipaddress
WHERE a.address_key IS NULL
   OR (k.runtime_family IS NOT NULL
       AND strpos(coalesce(k.useragent, ''), concat('exec-env/', k.runtime_family)) = 0
       AND h.home_address IS NULL)
ORDER BY k.eventtime
