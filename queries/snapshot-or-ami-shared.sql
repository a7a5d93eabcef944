-- name: snapshot-or-ami-shared
-- title: Snapshot or AMI shared with another account or made public
-- severity: high
-- mitre: T1537 Transfer Data to Cloud Account
-- description: Permission to create volumes from an EBS snapshot, launch an AMI, or restore an RDS snapshot was added for another account or for everyone ("all").
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       coalesce(json_extract_scalar(requestparameters, '$.snapshotId'), json_extract_scalar(requestparameters, '$.imageId'),
                json_extract_scalar(requestparameters, '$.dBSnapshotIdentifier'), json_extract_scalar(requestparameters, '$.dBClusterSnapshotIdentifier')) AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND errorcode IS NULL
  AND (
      (eventsource = 'ec2.amazonaws.com' AND eventname IN ('ModifySnapshotAttribute', 'ModifyImageAttribute')
          AND (json_extract(requestparameters, '$.createVolumePermission.add') IS NOT NULL
               OR json_extract(requestparameters, '$.launchPermission.add') IS NOT NULL)
          -- Added for another account (userId) or for everyone (group "all").
          AND (requestparameters LIKE '%"userId"%' OR requestparameters LIKE '%"group":"all"%'))
      OR (eventsource = 'rds.amazonaws.com' AND eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
          AND json_extract_scalar(requestparameters, '$.attributeName') = 'restore'
          AND json_array_length(json_extract(requestparameters, '$.valuesToAdd')) > 0)
  )
ORDER BY eventtime
