-- id: mass-deletion-burst
-- title: Mass deletion of instances, databases, snapshots, buckets or objects
-- severity: high
-- kind: threshold
-- tactics: TA0040
-- techniques: T1485, T1490
-- description: One principal deleted ten or more instances, volumes, snapshots, databases, backups or buckets, or made fifty or more S3 object deletions, within one hour: destruction or the clean-up before ransom.
-- falsepositives: Tearing down a test environment; lifecycle jobs run by a role (suppress it); autoscaling is an AWS service and is not counted.
-- runbook: Stop the principal at once (revoke its sessions, deactivate its keys), check backups and snapshots, and review what else it did.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH deletions AS (
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
           coalesce(useridentity.arn, useridentity.principalid, sourceipaddress) AS who,
           CASE WHEN eventname IN ('DeleteObject', 'DeleteObjects') THEN 's3-objects' ELSE 'resources' END AS family,
           date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour,
           -- Copies of one event (a log file delivered or copied twice) count once; events without an id all count.
           CASE WHEN eventid IS NULL THEN 1 ELSE row_number() OVER (PARTITION BY eventid ORDER BY eventtime) END AS copy
    FROM cloudtrail
    WHERE ${window}
      AND errorcode IS NULL
      AND coalesce(useridentity.type, '') NOT IN ('AWSService')
      AND useridentity.invokedby IS NULL
      AND ((eventsource = 'ec2.amazonaws.com' AND eventname IN ('TerminateInstances', 'DeleteVolume', 'DeleteSnapshot', 'DeregisterImage'))
        OR (eventsource = 'rds.amazonaws.com' AND eventname IN ('DeleteDBInstance', 'DeleteDBCluster', 'DeleteDBSnapshot', 'DeleteDBClusterSnapshot'))
        OR (eventsource = 'backup.amazonaws.com' AND eventname IN ('DeleteRecoveryPoint', 'DeleteBackupVault'))
        OR (eventsource = 'dynamodb.amazonaws.com' AND eventname IN ('DeleteTable', 'DeleteBackup'))
        OR (eventsource = 's3.amazonaws.com' AND eventname IN ('DeleteBucket', 'DeleteObject', 'DeleteObjects')))
), counted AS (
    SELECT *, count(*) OVER (PARTITION BY account, who, family, hour) AS deletions
    FROM deletions
    WHERE copy = 1
)
SELECT eventtime, account, region, eventsource, eventname, principal, sourceipaddress, useragent, eventid,
       concat(cast(deletions AS varchar), ' ', family, ' deletions in the hour') AS detail
FROM counted
WHERE deletions >= CASE family WHEN 's3-objects' THEN 50 ELSE 10 END
ORDER BY eventtime
