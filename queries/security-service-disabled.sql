-- name: security-service-disabled
-- title: Security service disabled
-- severity: critical
-- mitre: T1562.001 Impair Defenses: Disable or Modify Tools
-- description: GuardDuty, AWS Config, Security Hub or Macie was disabled, stopped or deleted, or a detector was detached from its administrator.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       errorcode AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND errorcode IS NULL
  AND (
      (eventsource = 'guardduty.amazonaws.com' AND (eventname IN ('DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'StopMonitoringMembers', 'DeleteMembers')
          OR (eventname = 'UpdateDetector' AND json_extract_scalar(requestparameters, '$.enable') = 'false')))
      OR (eventsource = 'config.amazonaws.com' AND eventname IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'))
      OR (eventsource = 'securityhub.amazonaws.com' AND eventname IN ('DisableSecurityHub', 'BatchDisableStandards', 'DisableImportFindingsForProduct', 'DeleteInsight'))
      OR (eventsource IN ('macie.amazonaws.com', 'macie2.amazonaws.com') AND eventname IN ('DisableMacie', 'DisableOrganizationAdminAccount', 'DeleteMember', 'UpdateMacieSession'))
  )
ORDER BY eventtime
