-- id: identity-provider-changed
-- title: SAML or OIDC identity provider created or changed
-- severity: high
-- kind: event
-- tactics: TA0003, TA0004, TA0005
-- techniques: T1484.002
-- description: A SAML provider was created or its metadata replaced, or an OIDC provider created, its thumbprints changed or a client id added: whoever controls that identity provider can then assume the roles that trust it (Golden SAML style persistence).
-- falsepositives: SSO set-up and certificate rotation by the identity team; GitHub Actions/EKS OIDC providers created by infrastructure as code.
-- runbook: Check the provider (detail) against the identity team's change; if unexpected, delete it or restore the metadata, and review AssumeRoleWithSAML / AssumeRoleWithWebIdentity calls that used it.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       coalesce(json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.sAMLProviderArn'),
                json_extract_scalar(requestparameters, '$.url'), json_extract_scalar(requestparameters, '$.openIDConnectProviderArn'),
                json_extract_scalar(responseelements, '$.sAMLProviderArn'), json_extract_scalar(responseelements, '$.openIDConnectProviderArn')) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'iam.amazonaws.com'
  AND eventname IN ('CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint',
                    'AddClientIDToOpenIDConnectProvider')
  AND errorcode IS NULL
  -- IAM Identity Center creates its own AWSSSO_…_DO_NOT_DELETE provider through its service-linked role, from sso.amazonaws.com.
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
ORDER BY eventtime
