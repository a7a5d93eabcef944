-- id: vpc-flow-logs-deleted
-- title: VPC flow logs deleted
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- description: VPC, subnet or interface flow logs were deleted: network evidence of exfiltration and lateral movement stops.
-- falsepositives: Tearing down a VPC (its flow logs go with it), by the deploy role.
-- runbook: Re-create the flow logs (CreateFlowLogs) and review what the principal changed in the network.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.DeleteFlowLogsRequest.FlowLogId.content'), json_extract_scalar(requestparameters, '$.DeleteFlowLogsRequest.FlowLogId'), substr(requestparameters, 1, 200)), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'DeleteFlowLogs'
  AND errorcode IS NULL
ORDER BY eventtime
