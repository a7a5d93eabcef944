-- id: s3-bucket-encryption-removed
-- title: S3 default encryption removed or switched to a foreign key
-- severity: medium
-- kind: event
-- tactics: TA0005, TA0040
-- techniques: T1562.001, T1486
-- description: A bucket's default encryption configuration was deleted, or set to an SSE-KMS key of another account (the ransomware pattern: new objects encrypted with a key the victim does not hold).
-- falsepositives: Buckets moved to a central KMS key in a security account (add that account to the allowed keys).
-- runbook: Restore the default encryption with the account's key and check which objects were written since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.bucketName'), regexp_extract(requestparameters, 'arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9/_-]+')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND errorcode IS NULL
  AND (eventname = 'DeleteBucketEncryption'
       OR (eventname = 'PutBucketEncryption'
           AND regexp_like(requestparameters, 'arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:')
           AND NOT regexp_like(requestparameters, concat('arn:aws[a-z-]*:kms:[a-z0-9-]+:', coalesce(recipientaccountid, account), ':'))))
ORDER BY eventtime
