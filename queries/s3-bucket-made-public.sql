-- id: s3-bucket-made-public
-- title: S3 bucket or object made public by ACL or policy
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537, T1530
-- description: A bucket or object ACL granting AllUsers or AuthenticatedUsers (in the grant list, a canned x-amz-acl or an x-amz-grant header), or a bucket policy with an Allow statement for Principal "*": anyone can read (or write) the data.
-- falsepositives: Static website buckets; policies whose Principal "*" is narrowed by a condition (aws:PrincipalOrgID, aws:SourceVpce): read the policy in the detail.
-- runbook: Restore the previous policy or ACL, turn on Block Public Access, and check the bucket's access logs or S3 data events for reads since.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.bucketName'), json_extract_scalar(requestparameters, '$.key'), substr(requestparameters, 1, 400)) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND errorcode IS NULL
  AND (
      (eventname IN ('PutBucketAcl', 'PutObjectAcl', 'CreateBucket')
          AND (regexp_like(requestparameters, 'acs\.amazonaws\.com/groups/global/(AllUsers|AuthenticatedUsers)')
               OR regexp_like(requestparameters, '"x-amz-acl"\s*:\s*\[?\s*"(public-read|public-read-write|authenticated-read)"')))
      -- An Allow statement for everyone: Principal "*", {"AWS": "*"} or {"AWS": ["*"]}, before or after the Effect.
      OR (eventname = 'PutBucketPolicy'
          AND (regexp_like(requestparameters, '"Effect"\s*:\s*"Allow"[^{}]*"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?\[?\s*"\*"')
               OR regexp_like(requestparameters, '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?\[?\s*"\*"\s*\]?\s*\}?[^{}]*"Effect"\s*:\s*"Allow"')))
  )
ORDER BY eventtime
