-- id: iam-policy-attached
-- title: IAM policy attached or put inline
-- severity: medium
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.003
-- description: A managed policy was attached to, or an inline policy put on, a user, group or role: the usual step from a foothold to more permissions.
-- falsepositives: Infrastructure-as-code deployments (suppress the deploy role); administrators granting access through tickets.
-- runbook: Check the policy (an AdministratorAccess or "*" policy is the alarm) and who got it; detach it if unexpected and review the caller's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.policyArn'), json_extract_scalar(requestparameters, '$.policyName')), 'on',
                 coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(requestparameters, '$.groupName'), json_extract_scalar(requestparameters, '$.roleName'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy', 'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy')
  AND errorcode IS NULL
ORDER BY eventtime
