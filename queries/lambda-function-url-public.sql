-- id: lambda-function-url-public
-- title: Lambda function URL created or changed without authentication
-- severity: high
-- kind: event
-- tactics: TA0001, TA0003
-- techniques: T1190, T1648
-- description: CreateFunctionUrlConfig or UpdateFunctionUrlConfig set AuthType NONE: the function answers anyone on the internet at its URL, with its role's permissions.
-- falsepositives: Public webhooks and APIs deliberately served by a function URL.
-- runbook: Ask the function's owner; if unexpected, set AuthType AWS_IAM or delete the URL config, and review the function's logs for calls.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.functionName'), '?'), ' ', coalesce(json_extract_scalar(responseelements, '$.functionUrl'), '')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'lambda.amazonaws.com'
  -- CreateFunctionUrlConfig20211031 / UpdateFunctionUrlConfig20211031: the API version is part of the name.
  AND regexp_like(eventname, '^(Create|Update)FunctionUrlConfig')
  AND upper(json_extract_scalar(requestparameters, '$.authType')) = 'NONE'
  AND errorcode IS NULL
ORDER BY eventtime
