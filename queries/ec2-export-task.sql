-- id: ec2-export-task
-- title: EC2 instance or image exported to S3
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- description: CreateInstanceExportTask, ExportImage or CreateStoreImageTask wrote a whole disk image to an S3 bucket, from where it can be downloaded or replicated away.
-- falsepositives: Migrations off AWS, or archiving AMIs to S3 by the platform team.
-- runbook: Check the destination bucket (its owner and policy), cancel the task if unexpected (CancelExportTask), and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.instanceId'), json_extract_scalar(requestparameters, '$.imageId'), json_extract_scalar(requestparameters, '$.CreateStoreImageTaskRequest.ImageId'), ''),
                 regexp_extract(requestparameters, '"(s3Bucket|S3Bucket|bucket|Bucket)"\s*:\s*"[^"]+"')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('CreateInstanceExportTask', 'ExportImage', 'CreateStoreImageTask')
  AND errorcode IS NULL
ORDER BY eventtime
