-- id: errors-by-principal
-- title: Errors and access denied by principal
-- description: The identities whose calls fail most, access denied apart from other errors.
-- source: cloudtrail_activity
-- chart: top-bars
-- x: principal
-- colour: outcome
-- count: eventtime
-- limit: 20
-- order: 60
-- columns: eventtime:datetime, account_name, region, principal, outcome, eventid
SELECT eventtime, account_name, region, principal, outcome, eventid
FROM cloudtrail_activity
WHERE outcome <> 'success'
