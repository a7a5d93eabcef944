-- name: iam-user-created
-- title: IAM user created
-- severity: medium
-- mitre: T1136.003 Create Account: Cloud Account
-- description: A new IAM user was created. Long-lived users are a common persistence foothold; most organisations create people through SSO instead.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.userName') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateUser'
  AND errorcode IS NULL
ORDER BY eventtime
