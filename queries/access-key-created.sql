-- name: access-key-created
-- title: Access key created
-- severity: medium
-- mitre: T1098.001 Account Manipulation: Additional Cloud Credentials
-- description: A long-lived access key was created, for an IAM user or for root. Creating a key for another user is a classic backdoor.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(responseelements, '$.accessKey.userName') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'iam.amazonaws.com'
  AND eventname = 'CreateAccessKey'
  AND errorcode IS NULL
ORDER BY eventtime
