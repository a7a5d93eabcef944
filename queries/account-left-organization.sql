-- id: account-left-organization
-- title: Account left or was removed from the organization (including denied attempts)
-- severity: critical
-- kind: event
-- tactics: TA0005, TA0040
-- techniques: T1666
-- description: LeaveOrganization or RemoveAccountFromOrganization: outside the organization, its SCPs, the organization trail and delegated security services no longer apply. A denied attempt is reported too: it shows intent.
-- falsepositives: A planned account move between organizations or a decommissioning, announced beforehand.
-- runbook: Confirm with the organization's owners; for a success, re-invite the account and re-apply the guardrails at once, and review what the principal did before and after.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.accountId'), recipientaccountid), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'organizations.amazonaws.com'
  AND eventname IN ('LeaveOrganization', 'RemoveAccountFromOrganization')
ORDER BY eventtime
