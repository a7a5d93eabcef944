-- id: calls-by-source-address
-- title: Calls by source address, coloured by identity type
-- description: The addresses that call the API most, split by the kind of identity calling from them (IAM user, assumed role, AWS service, root): a user's keys used from an address that otherwise only serves roles stand out.
-- source: cloudtrail_activity
-- chart: top-bars
-- x: sourceipaddress
-- colour: identity_type
-- count: eventtime
-- limit: 20
-- order: 20
-- columns: eventtime:datetime, account_name, region, principal, sourceipaddress, identity_type, eventid
SELECT eventtime, account_name, region, principal, sourceipaddress, identity_type, eventid
FROM cloudtrail_activity
