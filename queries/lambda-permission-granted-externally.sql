-- id: lambda-permission-granted-externally
-- title: Lambda function made invocable by anyone or another account
-- severity: high
-- kind: event
-- tactics: TA0003, TA0001
-- techniques: T1648, T1190
-- description: AddPermission added a resource-policy statement letting principal "*" or a foreign account call the function (including the public function-URL permission): a backdoor or an exposed endpoint (Stratus Red Team lambda-backdoor-function). Service principals (s3.amazonaws.com…) and the function's own account are left out.
-- falsepositives: Public APIs served by a function URL on purpose; cross-account event buses or pipelines of the organisation's own accounts.
-- runbook: Read the statement (detail); if unexpected, remove it with RemovePermission (statementId) and check the function's invocations since.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH grants AS (
    SELECT *, coalesce(json_extract_scalar(requestparameters, '$.principal'), '') AS grantee,
           coalesce(recipientaccountid, useridentity.accountid, account) AS own_account
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'lambda.amazonaws.com'
      -- AddPermission20150331, AddPermission20150331v2: Lambda logs the API version in the name.
      AND eventname LIKE 'AddPermission%'
      AND errorcode IS NULL
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.functionName'), '?'), ' to ', grantee,
              CASE WHEN json_extract_scalar(requestparameters, '$.functionUrlAuthType') IS NULL THEN '' ELSE concat(' (function URL auth ', json_extract_scalar(requestparameters, '$.functionUrlAuthType'), ')') END,
              CASE WHEN json_extract_scalar(requestparameters, '$.principalOrgID') IS NULL THEN '' ELSE concat(' limited to organization ', json_extract_scalar(requestparameters, '$.principalOrgID')) END) AS detail
FROM grants
WHERE grantee = '*'
   OR (regexp_like(grantee, '(^|::)[0-9]{12}(:|$)') AND strpos(grantee, own_account) = 0)
ORDER BY eventtime
