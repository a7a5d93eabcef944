-- id: roles-anywhere-trust-anchor-changed
-- title: IAM Roles Anywhere trust anchor created, changed or enabled
-- severity: high
-- kind: event
-- tactics: TA0003
-- techniques: T1098.001, T1484.002
-- description: A Roles Anywhere trust anchor was created, updated or enabled: any certificate issued by its CA can then obtain role credentials from outside AWS, a persistence path that survives key rotation. Denied attempts count.
-- falsepositives: Platform teams onboarding on-premises workloads to Roles Anywhere (rare, planned).
-- runbook: Check the anchor's certificate source (detail) and the profiles/roles it can reach; if unexpected, disable and delete it and review CreateSession calls from rolesanywhere.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(responseelements, '$.trustAnchor.name'),
                       json_extract_scalar(requestparameters, '$.trustAnchorId'), '?'),
              ' source ', coalesce(json_extract_scalar(requestparameters, '$.source.sourceType'), json_extract_scalar(responseelements, '$.trustAnchor.source.sourceType'), '?'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'rolesanywhere.amazonaws.com'
  AND eventname IN ('CreateTrustAnchor', 'UpdateTrustAnchor', 'EnableTrustAnchor')
ORDER BY eventtime
