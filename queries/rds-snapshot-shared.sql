-- id: rds-snapshot-shared
-- title: RDS snapshot or cluster snapshot shared with another account or made public
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- description: ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute added the restore attribute for another account or for all: the database can be restored outside the organisation.
-- falsepositives: Cross-account backup or migration to the organisation's own accounts (suppress those account ids).
-- runbook: Remove the account from the restore attribute (valuesToRemove), check whether it was copied, and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.dBSnapshotIdentifier'), json_extract_scalar(requestparameters, '$.dBClusterSnapshotIdentifier')),
                 json_format(json_extract(requestparameters, '$.valuesToAdd'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'rds.amazonaws.com'
  AND eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
  AND errorcode IS NULL
  AND json_extract_scalar(requestparameters, '$.attributeName') = 'restore'
  AND regexp_like(replace(coalesce(json_format(json_extract(requestparameters, '$.valuesToAdd')), ''), concat('"', account, '"'), '""'), '"(all|[0-9]{12})"')
ORDER BY eventtime
