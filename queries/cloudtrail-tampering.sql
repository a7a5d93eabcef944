-- id: cloudtrail-tampering
-- title: CloudTrail logging stopped or trail deleted (including denied attempts)
-- severity: critical
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- description: A trail's logging was stopped, a trail or event data store deleted, or an event data store's ingestion stopped: the evidence this lake collects is being cut off. Attempts are reported too: denied ones, and those naming a trail that does not exist (TrailNotFoundException), which is how someone guessing at trail names, or a tool sweeping every region, shows.
-- falsepositives: Decommissioning a trail in a change window, by the stack's deploy role.
-- runbook: Restart logging (StartLogging) or recreate the trail at once, then review everything the principal's session did before and after; a denied attempt means the credentials are in hostile hands.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.trailName'), json_extract_scalar(requestparameters, '$.eventDataStore')),
                 CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'cloudtrail.amazonaws.com'
  AND eventname IN ('StopLogging', 'DeleteTrail', 'DeleteEventDataStore', 'StopEventDataStoreIngestion')
  -- Attempts count: denied ones, and guesses at a trail or event data store that does not exist (they show intent too).
  AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden|TrailNotFound|EventDataStoreNotFound|NotFoundException'))
ORDER BY eventtime
