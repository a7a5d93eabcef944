-- id: role-trust-opened-externally
-- title: Role trust policy allows another account or anyone
-- severity: high
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.003, T1484.002
-- description: UpdateAssumeRolePolicy or CreateRole set a trust policy whose AWS principal is "*" or an account other than the role's own: anyone there can assume the role from outside (Stratus Red Team iam-backdoor-role). Accounts of the same organisation count as foreign: the lake does not know the organisation.
-- falsepositives: Cross-account roles for the organisation's own accounts, vendors (CSPM, backup, monitoring) onboarding with their account id; suppress their role names or add the accounts as a suppression.
-- runbook: Read the trust policy (detail) and ask for the change's owner; if unexpected, restore the previous trust policy and check AssumeRole calls on the role from the foreign account.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH trusts AS (
    SELECT *,
           coalesce(json_extract_scalar(requestparameters, '$.policyDocument'), json_extract_scalar(requestparameters, '$.assumeRolePolicyDocument'), '') AS document,
           coalesce(recipientaccountid, useridentity.accountid, account) AS own_account
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'iam.amazonaws.com'
      AND eventname IN ('UpdateAssumeRolePolicy', 'CreateRole')
      AND errorcode IS NULL
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.roleName'), '?'), ': ', substr(document, 1, 400)) AS detail
FROM trusts
-- Principal "*", {"AWS": "*"} or "*" in an AWS list.
WHERE regexp_like(document, '"Principal"\s*:\s*"\*"|"AWS"\s*:\s*"\*"|"AWS"\s*:\s*\[[^\]]*"\*"')
   -- An account id left once the role's own account is removed: arn:aws:iam::<id>:… or a bare "<id>".
   OR regexp_like(replace(document, own_account, ''), 'arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:|"[0-9]{12}"')
ORDER BY eventtime
