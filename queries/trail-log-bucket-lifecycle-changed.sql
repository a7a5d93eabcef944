-- id: trail-log-bucket-lifecycle-changed
-- title: Lifecycle rule put on a bucket that receives CloudTrail logs
-- severity: high
-- kind: correlation
-- lookback: 14d
-- tactics: TA0005
-- techniques: T1562.008, T1485
-- description: PutBucketLifecycle (the event name of both PutBucketLifecycle and PutBucketLifecycleConfiguration) set rules on a bucket that receives trail logs, which can expire the evidence within a day (Stratus Red Team cloudtrail-lifecycle-rule). A bucket is known to receive trail logs when a CreateTrail or UpdateTrail in the lookback or the window named it, when CloudTrail itself checked or wrote it, or by the name the console gives such buckets (aws-cloudtrail-logs-…, or any name with cloudtrail in it). The archive bucket of this stack is Object Locked and refuses shortening deletes, but its lifecycle change is reported all the same.
-- falsepositives: A storage-cost change on the log bucket by its owners, in a change window.
-- runbook: Read the rule (requestParameters.LifecycleConfiguration) for expirations; if not planned, restore the previous configuration, check that logs are still delivered and complete, and review the caller's session.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
WITH trail_buckets AS (
    SELECT DISTINCT coalesce(json_extract_scalar(requestparameters, '$.s3BucketName'), json_extract_scalar(responseelements, '$.s3BucketName')) AS bucket
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND eventsource = 'cloudtrail.amazonaws.com'
      AND eventname IN ('CreateTrail', 'UpdateTrail')
      AND errorcode IS NULL
    UNION
    -- CloudTrail checks the bucket's ACL and writes to it under its own service identity.
    SELECT DISTINCT json_extract_scalar(requestparameters, '$.bucketName')
    FROM cloudtrail
    WHERE (${history} OR ${window})
      AND eventsource = 's3.amazonaws.com'
      AND (useridentity.invokedby = 'cloudtrail.amazonaws.com' OR sourceipaddress = 'cloudtrail.amazonaws.com')
), changes AS (
    SELECT *, json_extract_scalar(requestparameters, '$.bucketName') AS bucket
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 's3.amazonaws.com'
      AND eventname IN ('PutBucketLifecycle', 'PutBucketLifecycleConfiguration')
)
SELECT c.eventtime, c.account, c.region, c.eventsource, c.eventname, c.useridentity.arn AS principal, c.sourceipaddress, c.useragent, c.eventid,
       concat(coalesce(c.bucket, '?'), CASE WHEN t.bucket IS NOT NULL THEN ' (named by a trail or written by CloudTrail)' ELSE ' (named like a CloudTrail log bucket)' END,
              CASE WHEN c.errorcode IS NOT NULL THEN concat('; attempt failed: ', c.errorcode) ELSE '' END) AS detail
FROM changes c
LEFT JOIN trail_buckets t ON t.bucket = c.bucket
WHERE t.bucket IS NOT NULL OR regexp_like(lower(coalesce(c.bucket, '')), 'cloudtrail')
ORDER BY c.eventtime
