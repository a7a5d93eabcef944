-- id: ebs-snapshot-shared
-- title: EBS snapshot shared with another account or made public
-- severity: high
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- description: ModifySnapshotAttribute added a create-volume permission for another account (userId) or for everyone (group all): the disk's data can be restored elsewhere.
-- falsepositives: Backup copies to the organisation's own backup account (suppress that account id).
-- runbook: Remove the permission (createVolumePermission remove), check whether the other account created a volume or copy, and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', json_extract_scalar(requestparameters, '$.snapshotId'), json_format(json_extract(requestparameters, '$.createVolumePermission.add'))) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname = 'ModifySnapshotAttribute'
  AND errorcode IS NULL
  AND regexp_like(replace(coalesce(json_format(json_extract(requestparameters, '$.createVolumePermission.add')), ''), concat('"', account, '"'), '""'),
                  '"userId"\s*:\s*"[0-9]+"|"group"\s*:\s*"all"')
ORDER BY eventtime
