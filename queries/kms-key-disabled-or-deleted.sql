-- id: kms-key-disabled-or-deleted
-- title: KMS key disabled or scheduled for deletion
-- severity: high
-- kind: event
-- tactics: TA0040
-- techniques: T1485, T1486
-- description: A customer managed KMS key was disabled or scheduled for deletion: everything encrypted with it becomes unreadable, a ransom lever or plain destruction.
-- falsepositives: Planned retirement of a key after re-encryption, with a change ticket.
-- runbook: Cancel the deletion (CancelKeyDeletion) and re-enable the key (EnableKey) within the waiting period, then review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.keyId'),
                 CASE WHEN eventname = 'ScheduleKeyDeletion' THEN concat('in ', coalesce(json_extract_scalar(requestparameters, '$.pendingWindowInDays'), '30'), ' days') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'kms.amazonaws.com'
  AND eventname IN ('DisableKey', 'ScheduleKeyDeletion')
  AND errorcode IS NULL
ORDER BY eventtime
