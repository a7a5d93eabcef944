-- id: errors-over-time
-- title: Errors and access denied over time
-- description: Failed calls per day, access denied apart from other errors: a rise in denials is someone (or something) trying what it may not.
-- source: cloudtrail_activity
-- chart: time-bars
-- x: eventtime
-- colour: outcome
-- count: eventtime
-- order: 50
-- columns: eventtime:datetime, account_name, region, principal, outcome, eventid
SELECT eventtime, account_name, region, principal, outcome, eventid
FROM cloudtrail_activity
WHERE outcome <> 'success'
