-- id: dns-query-logging-deleted
-- title: Route 53 Resolver query logging deleted or detached
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- description: A Resolver query logging configuration was deleted or disassociated from a VPC: DNS evidence (command and control, exfiltration over DNS) stops.
-- falsepositives: Re-organising query logging to a central account.
-- runbook: Re-associate the configuration with the VPC and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.resolverQueryLogConfigId'), ''), coalesce(json_extract_scalar(requestparameters, '$.resourceId'), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'route53resolver.amazonaws.com'
  AND eventname IN ('DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig')
  AND errorcode IS NULL
ORDER BY eventtime
