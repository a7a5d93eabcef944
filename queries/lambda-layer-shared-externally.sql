-- id: lambda-layer-shared-externally
-- title: Lambda layer version shared with anyone or another account
-- severity: medium
-- kind: event
-- tactics: TA0003, TA0010
-- techniques: T1648, T1537
-- description: AddLayerVersionPermission let principal "*" (optionally limited to an organization) or a foreign account use a layer version: code and any secrets bundled in the layer become readable outside the account.
-- falsepositives: Publishing a public layer on purpose (open-source extensions), sharing layers across the organisation's own accounts.
-- runbook: Check the layer's content and owner; if unexpected, remove the permission (RemoveLayerVersionPermission) and rotate anything the layer contains.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH grants AS (
    SELECT *, coalesce(json_extract_scalar(requestparameters, '$.principal'), '') AS grantee,
           coalesce(recipientaccountid, useridentity.accountid, account) AS own_account
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'lambda.amazonaws.com'
      -- AddLayerVersionPermission20181031: the API version is part of the name.
      AND eventname LIKE 'AddLayerVersionPermission%'
      AND errorcode IS NULL
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.layerName'), '?'), ':', coalesce(json_extract_scalar(requestparameters, '$.versionNumber'), '?'),
              ' to ', grantee,
              CASE WHEN json_extract_scalar(requestparameters, '$.organizationId') IS NULL THEN '' ELSE concat(' in organization ', json_extract_scalar(requestparameters, '$.organizationId')) END) AS detail
FROM grants
WHERE grantee = '*'
   OR (regexp_like(grantee, '(^|::)[0-9]{12}(:|$)') AND strpos(grantee, own_account) = 0)
ORDER BY eventtime
