-- id: s3-bucket-access-changed
-- title: S3 bucket policy or ACL changed
-- severity: low
-- kind: event
-- tactics: TA0005, TA0010
-- techniques: T1530, T1562
-- description: A bucket policy or ACL was put or deleted: context for data access that follows (the dangerous cases, public buckets, are s3-bucket-made-public and s3-public-access-block-removed).
-- falsepositives: Every deployment that manages bucket policies; suppress the deploy role.
-- runbook: Read the new policy or ACL in the detail; compare with the bucket's intended access.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       json_extract_scalar(requestparameters, '$.bucketName') AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl')
  AND errorcode IS NULL
ORDER BY eventtime
