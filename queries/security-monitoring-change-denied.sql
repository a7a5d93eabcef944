-- id: security-monitoring-change-denied
-- title: A change to CloudTrail, GuardDuty, Config or Security Hub was refused
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001, T1562.008
-- description: A write to the services that watch the account (CloudTrail, GuardDuty, AWS Config, Security Hub, Access Analyzer, Detective) was denied: changing event selectors or a trail, a GuardDuty filter or trusted IP list, a Config rule or recorder, Security Hub standards. Ordinary principals do not touch these; stolen ones try, to blind the defenders, and the denial is often the only trace. Stopping or deleting a trail, a detector or a recorder is reported (denied or not) by cloudtrail-tampering, guardduty-disabled and config-recorder-stopped, so those calls are left to them.
-- falsepositives: A security engineer without the right role yet; an infrastructure pipeline whose policy lags its templates.
-- runbook: Find who holds the credentials; if no one on the security team was making the change, revoke the sessions or deactivate the key, and review what else they tried.
-- status: experimental
-- created: 2026-12-06
-- modified: 2026-12-06
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(eventname, ' refused (', errorcode, ')') AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource IN ('cloudtrail.amazonaws.com', 'guardduty.amazonaws.com', 'config.amazonaws.com', 'securityhub.amazonaws.com',
                      'access-analyzer.amazonaws.com', 'detective.amazonaws.com')
  AND NOT regexp_like(eventname, '^(Get|List|Describe|Lookup|BatchGet|Search|Select)')
  AND eventname NOT IN ('StopLogging', 'DeleteTrail', 'DeleteEventDataStore', 'StopEventDataStoreIngestion',
                        'DeleteDetector', 'DeletePublishingDestination', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
                        'StopMonitoringMembers', 'DeleteMembers', 'DisassociateMembers', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel')
  AND regexp_like(coalesce(errorcode, ''), 'AccessDenied|Unauthorized|Forbidden|NotAuthorized')
ORDER BY eventtime
