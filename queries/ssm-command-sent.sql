-- id: ssm-command-sent
-- title: Commands run on instances through SSM Run Command
-- severity: medium
-- kind: event
-- tactics: TA0002, TA0008
-- techniques: T1651
-- description: SendCommand ran an SSM document (AWS-RunShellScript, AWS-RunPowerShellScript or another) on instances: code execution as root/SYSTEM on every target without a network path to them (Stratus Red Team ec2-ssm-send-command). Denied attempts are left to the access-denied detections.
-- falsepositives: Patch Manager and fleet automation run by a person or a pipeline; State Manager associations run by the SSM service itself are left out.
-- runbook: Get the command's output (GetCommandInvocation, commandId in detail) and what the document ran; if unexpected, isolate the targets and revoke the caller's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.documentName'), '?'), ' on ',
              coalesce(CAST(json_array_length(json_extract(requestparameters, '$.instanceIds')) AS varchar), 'targeted'), ' instance(s), command ',
              coalesce(json_extract_scalar(responseelements, '$.command.commandId'), '?')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ssm.amazonaws.com'
  AND eventname = 'SendCommand'
  AND errorcode IS NULL
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
  AND useridentity.invokedby IS NULL
ORDER BY eventtime
