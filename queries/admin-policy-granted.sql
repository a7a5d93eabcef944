-- id: admin-policy-granted
-- title: Administrator-level policy granted to a user, group or role
-- severity: high
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098.003
-- description: AdministratorAccess or IAMFullAccess was attached, or an inline or customer-managed policy (PutUserPolicy, PutRolePolicy, PutGroupPolicy, CreatePolicy, CreatePolicyVersion) allows Action "*" or "iam:*": full control handed to an identity (Stratus Red Team iam-create-admin-user). Narrower than iam-policy-attached, which flags every attachment. Denied attempts count: they are escalation attempts.
-- falsepositives: Creating break-glass or platform-admin roles through infrastructure as code; suppress the deploy role.
-- runbook: Check who received admin and whether it was approved; if not, detach or delete the policy, and look at what the identity did since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH grants AS (
    SELECT *, coalesce(json_extract_scalar(requestparameters, '$.policyDocument'), '') AS document
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'iam.amazonaws.com'
      AND eventname IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy', 'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy',
                        'CreatePolicy', 'CreatePolicyVersion')
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.policyArn'), json_extract_scalar(requestparameters, '$.policyName'), '?'), ' to ',
              coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(requestparameters, '$.roleName'),
                       json_extract_scalar(requestparameters, '$.groupName'), 'a new policy'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM grants
WHERE regexp_like(coalesce(json_extract_scalar(requestparameters, '$.policyArn'), ''), ':iam::aws:policy/(AdministratorAccess|IAMFullAccess)$')
   -- An Allow statement whose Action is "*" or "iam:*" (alone or in a list), whichever order its keys come in.
   -- A Deny of "*" (quarantine policies) does not match.
   OR regexp_like(document, '\{[^{}]*"Effect"\s*:\s*"Allow"[^{}]*"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"')
   OR regexp_like(document, '\{[^{}]*"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"[^{}]*"Effect"\s*:\s*"Allow"')
ORDER BY eventtime
