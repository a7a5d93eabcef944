-- name: cloudtrail-tampering
-- title: CloudTrail stopped, deleted or changed
-- severity: critical
-- mitre: T1562.008 Impair Defenses: Disable or Modify Cloud Logs
-- description: A trail was stopped, deleted or changed, or its event selectors were changed: the evidence this lake collects is being cut off.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       coalesce(json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.trailName')) AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'DeleteEventDataStore', 'StopEventDataStoreIngestion')
  AND errorcode IS NULL
  -- Selectors that keep every management event (read and write) narrow nothing.
  AND NOT (eventname = 'PutEventSelectors' AND requestparameters LIKE '%"includeManagementEvents":true%' AND requestparameters LIKE '%"readWriteType":"All"%')
ORDER BY eventtime
