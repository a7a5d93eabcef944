-- id: s3-bucket-logging-disabled
-- title: S3 server access logging turned off
-- severity: medium
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- description: PutBucketLogging with an empty BucketLoggingStatus (no LoggingEnabled): access logs of the bucket stop.
-- falsepositives: Moving a bucket to CloudTrail S3 data events instead of access logs.
-- runbook: Re-enable logging to the log bucket and check who read the bucket since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       json_extract_scalar(requestparameters, '$.bucketName') AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketLogging'
  AND errorcode IS NULL
  AND requestparameters LIKE '%"BucketLoggingStatus"%'
  AND requestparameters NOT LIKE '%"LoggingEnabled"%'
ORDER BY eventtime
