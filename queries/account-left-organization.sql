-- name: account-left-organization
-- title: Account left or removed from the organization
-- severity: critical
-- mitre: T1666 Modify Cloud Resource Hierarchy
-- description: An account left, or was removed from, the AWS organization: it escapes the organization's SCPs and central logging.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       coalesce(json_extract_scalar(requestparameters, '$.accountId'), recipientaccountid) AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'organizations.amazonaws.com'
  AND eventname IN ('LeaveOrganization', 'RemoveAccountFromOrganization')
ORDER BY eventtime
