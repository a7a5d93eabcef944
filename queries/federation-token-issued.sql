-- id: federation-token-issued
-- title: Federation token issued to an IAM user
-- severity: medium
-- kind: event
-- tactics: TA0003, TA0005
-- techniques: T1550.001, T1078.004
-- description: GetFederationToken issued temporary credentials (up to 36 hours) from an IAM user's key: they stay valid after that key is deleted, which is why attackers mint them before the key is rotated (Stratus Red Team sts-federation-token).
-- falsepositives: Legacy identity brokers that hand out federated sessions; rare in accounts using SSO.
-- runbook: Identify the user and key (principal, useragent, source address); deleting the key does not end the federated sessions: attach an explicit deny on the user (AWSRevokeOlderSessions-style policy) and investigate.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat('name ', coalesce(json_extract_scalar(requestparameters, '$.name'), '?'), ', ', coalesce(json_extract_scalar(requestparameters, '$.durationSeconds'), 'default'), ' s',
              CASE WHEN json_extract_scalar(requestparameters, '$.policy') IS NULL AND json_extract(requestparameters, '$.policyArns') IS NULL THEN ', no session policy' ELSE '' END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'sts.amazonaws.com'
  AND eventname = 'GetFederationToken'
  AND errorcode IS NULL
ORDER BY eventtime
