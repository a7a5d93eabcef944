-- name: kms-key-disabled-or-deleted
-- title: KMS key disabled or scheduled for deletion
-- severity: high
-- mitre: T1485 Data Destruction
-- description: A customer-managed KMS key was disabled or scheduled for deletion: everything encrypted with it becomes unreadable (also a ransomware pattern).
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.keyId') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 'kms.amazonaws.com'
  AND eventname IN ('DisableKey', 'ScheduleKeyDeletion')
  AND errorcode IS NULL
ORDER BY eventtime
