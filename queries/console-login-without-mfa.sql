-- name: console-login-without-mfa
-- title: Console login without MFA
-- severity: high
-- mitre: T1078.004 Valid Accounts: Cloud Accounts
-- description: An IAM user or root signed in to the console successfully without multi-factor authentication. Federated (SSO/SAML) sign-ins do their MFA at the identity provider and are left out.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, eventid,
       json_extract_scalar(additionaleventdata, '$.MFAUsed') AS detail
FROM cloudtrail
WHERE "date" BETWEEN substr('${since}', 1, 10) AND substr('${until}', 1, 10)
  AND eventtime >= '${since}' AND eventtime < '${until}'
  AND eventname = 'ConsoleLogin'
  AND useridentity.type IN ('IAMUser', 'Root')
  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'
  AND json_extract_scalar(additionaleventdata, '$.SamlProviderArn') IS NULL
  AND upper(coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'NO')) <> 'YES'
ORDER BY eventtime
