-- name: iam-policy-attached
-- title: Policy attached to or put on a user, group or role
-- severity: medium
-- mitre: T1098.003 Account Manipulation: Additional Cloud Roles
-- description: A managed policy was attached to, or an inline policy put on, an IAM user, group or role: the way permissions are escalated.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       coalesce(json_extract_scalar(requestparameters, '$.policyArn'), json_extract_scalar(requestparameters, '$.policyName')) AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'iam.amazonaws.com'
  AND eventname IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy', 'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy')
  AND errorcode IS NULL
ORDER BY eventtime
