-- id: ssm-session-started
-- title: Interactive SSM Session Manager session opened on an instance
-- severity: medium
-- kind: event
-- tactics: TA0002, TA0008
-- techniques: T1651, T1021.008
-- description: StartSession opened a Session Manager shell (or a port forward) to an instance: interactive access without SSH keys or open ports (Stratus Red Team ec2-ssm-start-session). Port-forwarding documents are named in detail.
-- falsepositives: Operators using Session Manager as their normal way in; bastion replacements.
-- runbook: Check the session's owner and target; session logs (S3/CloudWatch, if configured) show the commands; terminate unexpected sessions (TerminateSession) and revoke the caller.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.target'), '?'),
              CASE WHEN json_extract_scalar(requestparameters, '$.documentName') IS NULL THEN '' ELSE concat(' via ', json_extract_scalar(requestparameters, '$.documentName')) END,
              ', session ', coalesce(json_extract_scalar(responseelements, '$.sessionId'), '?')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ssm.amazonaws.com'
  AND eventname IN ('StartSession', 'ResumeSession')
  AND errorcode IS NULL
ORDER BY eventtime
