-- id: s3-replication-to-other-account
-- title: S3 replication configured to another account
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- description: PutBucketReplication with a destination Account other than the bucket's own: every new object is copied out automatically.
-- falsepositives: Replication to the organisation's own backup or DR account (suppress that account id).
-- runbook: Delete the replication rule if the destination account is not yours, and check what was replicated (replication metrics, the destination's CloudTrail).
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.bucketName'), regexp_extract(requestparameters, '"Account"\s*:\s*"[0-9]{12}"')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 's3.amazonaws.com'
  AND eventname = 'PutBucketReplication'
  AND errorcode IS NULL
  AND regexp_like(replace(requestparameters, concat('"', account, '"'), '""'), '"Account"\s*:\s*"[0-9]{12}"')
ORDER BY eventtime
