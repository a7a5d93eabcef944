-- id: cloudtrail-selectors-narrowed
-- title: CloudTrail event selectors narrowed or trail weakened
-- severity: high
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- description: Event selectors (basic or advanced) that drop management events, write events or exclude event sources, or an UpdateTrail that turns off multi-region logging, global service events or log file validation: logging continues but blind to what the attacker does next.
-- falsepositives: Cost tuning that excludes noisy data events (KMS, RDS Data API) on purpose; it shows here and should be reviewed once.
-- runbook: Compare the new selectors with the organisation's baseline (GetEventSelectors), restore them, and review the principal's session.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat_ws(' ', coalesce(json_extract_scalar(requestparameters, '$.trailName'), json_extract_scalar(requestparameters, '$.name')), substr(requestparameters, 1, 300)) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'cloudtrail.amazonaws.com'
  AND errorcode IS NULL
  AND (
      -- Basic selectors: management events off, or only read events kept.
      (eventname = 'PutEventSelectors'
          AND (regexp_like(requestparameters, '"includeManagementEvents"\s*:\s*false') OR regexp_like(requestparameters, '"readWriteType"\s*:\s*"ReadOnly"')
               OR regexp_like(requestparameters, '"excludeManagementEventSources"\s*:\s*\[\s*"')))
      -- Advanced selectors: a readOnly = true filter (drops writes), a NotEquals/NotStartsWith on eventSource or eventName, or no Management category at all.
      OR (eventname = 'PutAdvancedEventSelectors'
          AND (regexp_like(requestparameters, '"field"\s*:\s*"readOnly"\s*,\s*"equals"\s*:\s*\[\s*"true"')
               OR regexp_like(requestparameters, '"field"\s*:\s*"(eventSource|eventName)"\s*,\s*"not(Equals|StartsWith|EndsWith)"')
               OR NOT regexp_like(requestparameters, '"equals"\s*:\s*\[\s*"Management"')))
      -- The trail itself: single region, no global events, no log file validation.
      OR (eventname = 'UpdateTrail'
          AND regexp_like(requestparameters, '"(isMultiRegionTrail|includeGlobalServiceEvents|enableLogFileValidation)"\s*:\s*false'))
  )
ORDER BY eventtime
