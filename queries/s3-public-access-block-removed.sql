-- id: s3-public-access-block-removed
-- title: S3 Block Public Access removed or weakened
-- severity: high
-- kind: event
-- tactics: TA0005, TA0010
-- techniques: T1562.001, T1537
-- description: A bucket's or the account's Block Public Access configuration was deleted, or put with one of its four settings false: the guard that stops a public policy or ACL from taking effect is gone.
-- falsepositives: Static website buckets set up on purpose.
-- runbook: Restore Block Public Access (all four true) unless the bucket is public by design, and look for policy or ACL changes by the same principal.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.bucketName'), 'account-wide'), json_format(json_extract(requestparameters, '$.PublicAccessBlockConfiguration'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource IN ('s3.amazonaws.com', 's3-control.amazonaws.com')
  AND errorcode IS NULL
  AND (eventname IN ('DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock', 'DeletePublicAccessBlock')
       OR (eventname IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'PutPublicAccessBlock')
           AND regexp_like(requestparameters, '"(BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)"\s*:\s*false')))
ORDER BY eventtime
