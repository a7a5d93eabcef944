-- name: s3-bucket-protection-disabled
-- title: Bucket encryption, logging, versioning or replication removed
-- severity: medium
-- mitre: T1562.001 Impair Defenses: Disable or Modify Tools
-- description: Default encryption, server access logging or replication of a bucket was deleted, or versioning suspended: protections an attacker removes before exfiltrating or destroying data.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.bucketName') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 's3.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname IN ('DeleteBucketEncryption', 'DeleteBucketReplication')
       OR (eventname = 'PutBucketLogging' AND json_extract(requestparameters, '$.BucketLoggingStatus') IS NOT NULL
           AND json_extract(requestparameters, '$.BucketLoggingStatus.LoggingEnabled') IS NULL)
       OR (eventname = 'PutBucketVersioning' AND json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status') IN ('Suspended', 'Disabled')))
ORDER BY eventtime
