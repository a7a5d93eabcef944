-- id: log-group-deleted
-- title: CloudWatch Logs log group or stream deleted
-- severity: medium
-- kind: event
-- tactics: TA0005
-- techniques: T1070, T1562.008
-- description: A CloudWatch Logs group (or stream) was deleted by a person or a non-AWS principal: logs that may hold evidence are destroyed.
-- falsepositives: Clean-up of test stacks; the deploy role removing a function's log group.
-- runbook: Check what the group held (its name says which service); logs are gone, so look for the same evidence elsewhere (the lake, S3 exports) and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.logGroupName'), json_extract_scalar(requestparameters, '$.logStreamName')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'logs.amazonaws.com'
  AND eventname IN ('DeleteLogGroup', 'DeleteLogStream')
  AND errorcode IS NULL
  -- AWS services clean up their own groups.
  AND coalesce(useridentity.type, '') <> 'AWSService'
ORDER BY eventtime
