-- id: access-analyzer-deleted
-- title: IAM Access Analyzer deleted or findings archived by a new rule
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- description: An IAM Access Analyzer analyzer was deleted, or an archive rule created or changed (it hides matching findings, e.g. a new external access): the alarm on resources shared outside the account is silenced.
-- falsepositives: Archive rules for known, intended external access, created by the security team.
-- runbook: Re-create the analyzer or review the archive rule's filter; list the findings it archived.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.analyzerName'), ''), coalesce(json_extract_scalar(requestparameters, '$.ruleName'), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'access-analyzer.amazonaws.com'
  AND eventname IN ('DeleteAnalyzer', 'CreateArchiveRule', 'UpdateArchiveRule')
  AND errorcode IS NULL
ORDER BY eventtime
