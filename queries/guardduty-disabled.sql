-- id: guardduty-disabled
-- title: GuardDuty detector deleted, disabled or cut off (including denied attempts)
-- severity: critical
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- description: A GuardDuty detector was deleted or disabled, its findings export (publishing destination) removed, or the account detached from its administrator or members stopped: threat detection goes dark. Denied attempts are reported too.
-- falsepositives: Moving GuardDuty administration to a new delegated administrator account.
-- runbook: Re-enable the detector (UpdateDetector --enable) or re-create the destination, check GuardDuty findings from before the change, and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.detectorId'), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'guardduty.amazonaws.com'
  -- Denied attempts count (they show intent); other failures (no such trail/detector) do not.
  AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden'))
  AND (eventname IN ('DeleteDetector', 'DeletePublishingDestination', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
                     'StopMonitoringMembers', 'DeleteMembers', 'DisassociateMembers')
       OR (eventname = 'UpdateDetector' AND (json_extract_scalar(requestparameters, '$.enable') = 'false'
                                            -- Findings exported only every six hours (the slowest setting): alerts come late.
                                            OR json_extract_scalar(requestparameters, '$.findingPublishingFrequency') = 'SIX_HOURS')))
ORDER BY eventtime
