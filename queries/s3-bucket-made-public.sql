-- id: s3-bucket-made-public
-- title: S3 bucket or object made public by ACL or policy
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537, T1530
-- description: A bucket or object ACL granting AllUsers or AuthenticatedUsers (in the grant list, a canned x-amz-acl or an x-amz-grant header), or a bucket policy with an Allow statement for Principal "*" and no Condition: anyone can read (or write) the data.
-- falsepositives: Static website buckets; a Principal "*" narrowed by a Condition is not reported at all, so a Condition that narrows nothing (aws:SecureTransport alone) is missed.
-- runbook: Restore the previous policy or ACL, turn on Block Public Access, and check the bucket's access logs or S3 data events for reads since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
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
      -- An Allow statement for everyone (Principal "*", {"AWS": "*"} or {"AWS": ["*"]}, before or after the Effect) without a
      -- Condition: a statement is then a flat object. requestParameters is compact JSON (the normaliser writes it), so the two
      -- object forms of "everyone" are rewritten to "*" by plain replace. A Principal "*" narrowed by a Condition
      -- (aws:PrincipalOrgID, aws:SourceVpce...) is not reported: that is how organisations share buckets internally.
      OR (eventname = 'PutBucketPolicy'
          AND regexp_like(replace(replace(requestparameters, '"Principal":{"AWS":"*"}', '"Principal":"*"'), '"Principal":{"AWS":["*"]}', '"Principal":"*"'),
                          '\{[^{}]*"Effect":"Allow"[^{}]*"Principal":"\*"[^{}]*\}|\{[^{}]*"Principal":"\*"[^{}]*"Effect":"Allow"[^{}]*\}'))
  )
ORDER BY eventtime
