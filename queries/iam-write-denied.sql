-- id: iam-write-denied
-- title: IAM permission change denied (self-escalation when aimed at the caller)
-- severity: high
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098.001, T1098.003
-- description: A call that would grant permissions or credentials was refused: attaching or putting a policy, a new default policy version, a trust-policy update, adding a user to a group, a login profile, an access key, a permissions boundary removed. Ordinary principals do not try these; stolen ones try them to escalate. Says when the target is the caller itself (its own user or role, or an access key with no user named), the self-escalation of Rhino Security Labs' IAM privilege-escalation methods. Every shape of refusal counts (AccessDenied, AccessDeniedException, UnauthorizedOperation…); IAM users, role sessions, root and Identity Center alike.
-- falsepositives: An administrator without the right role yet, a pipeline whose policy lags its templates; both repeat from known principals and can be suppressed.
-- runbook: Find who holds the credentials (principal, access key, source address); if no one on the team was making the change, revoke the sessions or deactivate the key and review what else they tried (npm run investigate).
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH denied AS (
    SELECT *,
           coalesce(json_extract_scalar(requestparameters, '$.userName'), json_extract_scalar(requestparameters, '$.roleName'),
                    json_extract_scalar(requestparameters, '$.groupName'), json_extract_scalar(requestparameters, '$.policyArn')) AS target,
           -- The caller's own user (IAM user), or the role behind its session.
           CASE WHEN useridentity.type = 'IAMUser' THEN useridentity.username
                WHEN useridentity.type = 'AssumedRole' THEN useridentity.sessioncontext.sessionissuer.username END AS caller_name
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'iam.amazonaws.com'
      AND eventname IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy',
                        'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'UpdateAssumeRolePolicy', 'AddUserToGroup',
                        'CreateLoginProfile', 'UpdateLoginProfile', 'CreateAccessKey',
                        'DeleteUserPermissionsBoundary', 'DeleteRolePermissionsBoundary', 'PutUserPermissionsBoundary', 'PutRolePermissionsBoundary')
      AND regexp_like(coalesce(errorcode, ''), 'AccessDenied|Unauthorized|Forbidden|NotAuthorized')
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(eventname, ' on ', coalesce(target, 'the caller'), ' refused (', errorcode, ')',
              CASE WHEN (eventname IN ('CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile') AND json_extract_scalar(requestparameters, '$.userName') IS NULL)
                        OR json_extract_scalar(requestparameters, '$.userName') = caller_name
                        OR json_extract_scalar(requestparameters, '$.roleName') = caller_name
                   THEN ': aimed at the caller itself (self-escalation)' ELSE '' END) AS detail
FROM denied
ORDER BY eventtime
