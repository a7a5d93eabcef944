-- id: workload-credentials-used-outside-aws
-- title: Workload credentials used from outside AWS
-- severity: high
-- kind: event
-- tactics: TA0006, TA0001
-- techniques: T1552.005, T1078.004
-- description: A call made with credentials that only a workload holds - an EC2 instance profile's session (sessionContext.ec2RoleDelivery, or a session named after its instance id), an EKS service account's web-identity session (federated by the cluster's oidc.eks provider), or a session whose own user agent names the Lambda or ECS runtime (exec-env/AWS_Lambda_…, AWS_ECS_…) - from a public address in none of AWS's published ranges (data/aws-ip-ranges.json): the credentials were taken from the workload (metadata service, environment, SSRF) and used elsewhere, as GuardDuty's InstanceCredentialExfiltration.OutsideAWS reports. Calls through VPC endpoints, by AWS services for the workload (invokedBy), on Systems Manager's message channels (ssmmessages, ec2messages: Session Manager traffic), from private addresses and from every AWS range are left out.
-- falsepositives: A VPC whose internet egress leaves through an on-premises or third-party proxy (Direct Connect/VPN with a corporate NAT, a SASE egress): its instances call AWS from that proxy's public address. Add the proxy's addresses as a suppression. AWS ranges newer than the shipped copy (npm run update:ip-ranges).
-- runbook: Confirm the address is not your egress; revoke the role's sessions issued before now (IAM console: Revoke active sessions, i.e. an aws:TokenIssueTime deny), rotate what the role can read, find how the credentials left the workload (IMDSv1 or SSRF on the instance, environment dump, a compromised image) and require IMDSv2; follow the address in other accounts (npm start -- investigate).
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH calls AS (
    -- The columns used, not *: the chain below ends in a CTE the engine materialises (read twice).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal,
        coalesce(useridentity.sessioncontext.sessionissuer.username, useridentity.arn) AS role_name, sourceipaddress, useragent, eventid,
        CASE
            WHEN useridentity.sessioncontext.ec2roledelivery IS NOT NULL
              OR regexp_like(coalesce(useridentity.principalid, ''), ':i-[0-9a-f]{8,17}$')
              OR regexp_like(coalesce(useridentity.arn, ''), ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')
                THEN concat('EC2 instance ', coalesce(regexp_extract(coalesce(useridentity.principalid, useridentity.arn), 'i-[0-9a-f]{8,17}$'), 'profile'))
            WHEN regexp_like(coalesce(useridentity.sessioncontext.webidfederationdata.federatedprovider, ''), 'oidc\.eks\.[a-z0-9-]+\.amazonaws\.com')
                THEN 'EKS service account'
            WHEN regexp_like(coalesce(useragent, ''), 'exec-env/AWS_Lambda_') THEN 'Lambda function'
            WHEN regexp_like(coalesce(useragent, ''), 'exec-env/AWS_ECS_') THEN 'ECS task'
        END AS workload
    FROM cloudtrail
    WHERE ${window}
      AND useridentity.type IN ('AssumedRole', 'WebIdentityUser')
      AND useridentity.invokedby IS NULL
      AND vpcendpointid IS NULL
      -- The Systems Manager agent's message channels: Session Manager's traffic, left out as Panther's IMDS rule does.
      AND coalesce(eventsource, '') NOT IN ('ssmmessages.amazonaws.com', 'ec2messages.amazonaws.com')
      AND regexp_like(coalesce(sourceipaddress, ''), '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$')
      AND NOT regexp_like(lower(sourceipaddress), '^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|::1$|f[cd]|fe[89ab])')
), workload_calls AS (
    SELECT * FROM calls WHERE workload IS NOT NULL
), addressed AS (
    SELECT *, CASE WHEN lower(sourceipaddress) LIKE '::ffff:%.%' THEN substr(sourceipaddress, 8) ELSE lower(sourceipaddress) END AS address
    FROM workload_calls
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
       concat(k.workload, ' credentials (role ', k.role_name, ') used from ', k.sourceipaddress, ', outside AWS') AS detail
FROM keyed k
LEFT JOIN inside_aws a ON a.address_key = k.address_key
WHERE a.address_key IS NULL
ORDER BY k.eventtime
