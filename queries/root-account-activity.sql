-- name: root-account-activity
-- title: Root user activity
-- severity: high
-- mitre: T1078.004 Valid Accounts: Cloud Accounts
-- description: The root user of an account made a request. Root should be locked away; any use of it needs an explanation.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       errorcode AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND coalesce(eventtype, '') <> 'AwsServiceEvent'
ORDER BY eventtime
