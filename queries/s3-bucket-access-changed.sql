-- name: s3-bucket-access-changed
-- title: Bucket policy, ACL or public-access block changed
-- severity: high
-- mitre: T1530 Data from Cloud Storage
-- description: A bucket's policy, ACL or public-access block was changed or removed: the usual first step of making data readable from outside.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(requestparameters, '$.bucketName') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventsource = 's3.amazonaws.com'
  AND eventname IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock')
  AND errorcode IS NULL
  -- Putting a public-access block only matters when it turns a block off.
  AND (eventname NOT IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock') OR requestparameters LIKE '%":false%')
ORDER BY eventtime
