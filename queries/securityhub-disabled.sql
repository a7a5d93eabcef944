-- id: securityhub-disabled
-- title: Security Hub disabled or its standards turned off
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- description: Security Hub was disabled, standards disabled, a product integration cut, or the account detached from its administrator: posture findings stop.
-- falsepositives: Re-organising standards (turning off a duplicate standard) by the security team.
-- runbook: Re-enable Security Hub and its standards (EnableSecurityHub, BatchEnableStandards) and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(substr(requestparameters, 1, 200), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'securityhub.amazonaws.com'
  -- Denied attempts count (they show intent); other failures (no such trail/detector) do not.
  AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden'))
  AND eventname IN ('DisableSecurityHub', 'BatchDisableStandards', 'DisableImportFindingsForProduct', 'DisassociateFromAdministratorAccount',
                    'DisassociateFromMasterAccount', 'DeleteMembers', 'DisassociateMembers', 'DisableOrganizationAdminAccount')
ORDER BY eventtime
