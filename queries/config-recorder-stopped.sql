-- id: config-recorder-stopped
-- title: AWS Config recorder stopped or deleted
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- description: The Config recorder was stopped or deleted, or its delivery channel deleted: resource changes stop being recorded, so what the attacker changes next leaves no history.
-- falsepositives: Cost reduction in sandbox accounts; re-creating the recorder with a new configuration.
-- runbook: Restart the recorder (StartConfigurationRecorder) and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.configurationRecorderName'), json_extract_scalar(requestparameters, '$.deliveryChannelName'), ''), CASE WHEN errorcode IS NOT NULL THEN concat('attempt failed: ', errorcode) END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'config.amazonaws.com'
  -- Denied attempts count (they show intent); other failures (no such trail/detector) do not.
  AND (errorcode IS NULL OR regexp_like(errorcode, 'AccessDenied|Unauthorized|Forbidden'))
  AND eventname IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel')
ORDER BY eventtime
