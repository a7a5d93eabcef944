-- id: s3-bucket-protection-disabled
-- title: S3 versioning suspended or replication removed
-- severity: medium
-- kind: event
-- tactics: TA0005, TA0040
-- techniques: T1490, T1562.001
-- description: Versioning was suspended (or MFA delete turned off) or replication deleted on a bucket: the copies that make deletion recoverable are going away, a usual step before destroying or ransoming data.
-- falsepositives: Cost reduction on scratch buckets.
-- runbook: Re-enable versioning or replication if the bucket holds anything of value, and look for deletions by the same principal afterwards.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.bucketName'), json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status'), json_extract_scalar(requestparameters, '$.VersioningConfiguration.MfaDelete')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname = 'DeleteBucketReplication'
       OR (eventname = 'PutBucketVersioning' AND (json_extract_scalar(requestparameters, '$.VersioningConfiguration.Status') IN ('Suspended', 'Disabled')
                                                 OR json_extract_scalar(requestparameters, '$.VersioningConfiguration.MfaDelete') = 'Disabled')))
ORDER BY eventtime
