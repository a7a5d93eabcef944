-- id: console-sign-ins
-- title: Console sign-ins by source address: success, failure, without MFA
-- description: Every ConsoleLogin by the address it came from: failures, IAM and root sign-ins without MFA, federated (SAML, IAM Identity Center) sign-ins and those with MFA.
-- source: cloudtrail_activity
-- chart: top-bars
-- x: sourceipaddress
-- colour: signin_outcome
-- count: eventtime
-- limit: 20
-- order: 70
-- columns: eventtime:datetime, account_name, region, principal, sourceipaddress, signin_outcome, eventid
SELECT eventtime, account_name, region, principal, sourceipaddress, signin_outcome, eventid
FROM cloudtrail_activity
WHERE eventname = 'ConsoleLogin'
