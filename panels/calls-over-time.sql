-- id: calls-over-time
-- title: API calls over time, by account and region
-- description: Every recorded call per day, one line per account and region: a new region lighting up, or an account suddenly busier, shows here first.
-- source: cloudtrail_activity
-- chart: time-lines
-- x: eventtime
-- colour: account_region
-- count: eventtime
-- order: 10
-- columns: eventtime:datetime, account_name, region, principal, account_region, eventid
SELECT eventtime, account_name, region, principal, concat(account_name, ' / ', region) AS account_region, eventid
FROM cloudtrail_activity
