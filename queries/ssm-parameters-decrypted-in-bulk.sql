-- id: ssm-parameters-decrypted-in-bulk
-- title: Many SecureString parameters decrypted by one principal
-- severity: high
-- kind: threshold
-- tactics: TA0006
-- techniques: T1555.006, T1552
-- description: One principal read many SSM parameters with withDecryption true (GetParameter, GetParameters with a list of names, GetParametersByPath) within the window: credentials stored as SecureString being harvested (Stratus Red Team ssm-retrieve-securestring-parameters).
-- falsepositives: Applications that load their whole configuration tree at start-up (GetParametersByPath); configuration-sync tools; suppress their roles.
-- runbook: Identify the session and the parameters read (names, paths); rotate the credentials they hold; revoke the session if it is not an application's own role.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH reads AS (
    -- The columns used, not *: the engine materialises this CTE (read more than once).
    SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid, requestparameters,
           coalesce(useridentity.arn, useridentity.principalid) AS who
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'ssm.amazonaws.com'
      AND eventname IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
      AND json_extract_scalar(requestparameters, '$.withDecryption') = 'true'
      AND errorcode IS NULL
      AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
), weighted AS (
    -- Items read per call: one name; each name of a GetParameters list; a path counts as 5 (its pages return
    -- up to 10 values each, how many is not logged).
    SELECT DISTINCT eventid, who, json_extract_scalar(requestparameters, '$.name') AS single_name,
           CASE WHEN eventname = 'GetParameters' THEN coalesce(json_array_length(json_extract(requestparameters, '$.names')), 1)
                WHEN eventname = 'GetParametersByPath' THEN 5 ELSE 0 END AS listed
    FROM reads
), per_principal AS (
    SELECT who, count(DISTINCT single_name) + sum(listed) AS items
    FROM weighted
    GROUP BY who
)
SELECT r.eventtime, r.account, r.region, r.eventsource, r.eventname, r.principal,
       r.sourceipaddress, r.useragent, r.eventid,
       concat(coalesce(json_extract_scalar(r.requestparameters, '$.name'), json_extract_scalar(r.requestparameters, '$.path'), 'names list'),
              ' (', CAST(p.items AS varchar), ' decrypted parameters by this principal)') AS detail
FROM reads r
JOIN per_principal p ON r.who = p.who
-- Ten: a service reads its handful of secrets at start-up; the harvesting tools read every SecureString listed.
WHERE p.items >= 10
ORDER BY r.eventtime
