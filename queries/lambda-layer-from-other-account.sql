-- id: lambda-layer-from-other-account
-- title: Lambda function given a layer from another account
-- severity: medium
-- kind: event
-- tactics: TA0003, TA0002
-- techniques: T1648, T1525
-- description: CreateFunction or UpdateFunctionConfiguration attached a layer version owned by another AWS account: the layer's code (or a Lambda extension in it) runs inside the function with its role and sees every request (malicious-extension persistence). Layer ARNs are read from the request (a list of ARNs) and from the response (objects with arn).
-- falsepositives: Vendor layers and extensions published from the vendor's account (Datadog, New Relic, AWS Parameters and Secrets extension, Lambda Insights, Powertools); suppress the deploy role that adds them.
-- runbook: Identify the layer's owner account (detail) and the change's author; if unknown, remove the layer (UpdateFunctionConfiguration), redeploy from the pipeline and rotate what the function's role can reach.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
WITH changes AS (
    SELECT *,
           -- Layer ARNs of the function's own account removed: what is left belongs to someone else.
           replace(concat(coalesce(requestparameters, ''), coalesce(responseelements, '')),
                   concat(':', coalesce(recipientaccountid, useridentity.accountid, account), ':layer:'), ':own:layer:') AS layers_text
    FROM cloudtrail
    WHERE ${window}
      AND eventsource = 'lambda.amazonaws.com'
      -- CreateFunction20150331, UpdateFunctionConfiguration20150331v2: the API version is part of the name.
      AND regexp_like(eventname, '^(CreateFunction|UpdateFunctionConfiguration)')
      AND errorcode IS NULL
)
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(json_extract_scalar(requestparameters, '$.functionName'), '?'), ' uses ',
              coalesce(regexp_extract(layers_text, 'arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+'), '?')) AS detail
FROM changes
WHERE regexp_like(layers_text, 'arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:')
ORDER BY eventtime
