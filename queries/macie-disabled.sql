-- id: macie-disabled
-- title: Macie disabled, paused or its findings delayed
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- description: Macie was disabled, its session paused or its findings publishing slowed to six hours, or the account removed from the Macie administrator: sensitive-data discovery in S3 stops.
-- falsepositives: Macie cost control by the security team.
-- runbook: Re-enable Macie (EnableMacie or UpdateMacieSession status ENABLED) and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.status'), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource IN ('macie.amazonaws.com', 'macie2.amazonaws.com')
  -- Denied attempts count (they show intent); other failures (no such trail/detector) do not.
  AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden'))
  AND (eventname IN ('DisableMacie', 'DisableOrganizationAdminAccount', 'DisassociateFromAdministratorAccount', 'DisassociateFromMasterAccount', 'DeleteMember', 'DisassociateMember')
       -- Paused, or findings published only every six hours (the slowest setting) so that alerts come late.
       OR (eventname = 'UpdateMacieSession' AND (json_extract_scalar(requestparameters, '$.status') = 'PAUSED'
                                                  OR json_extract_scalar(requestparameters, '$.findingPublishingFrequency') = 'SIX_HOURS')))
ORDER BY eventtime
