-- id: top-event-sources
-- title: Top event sources, coloured by identity type
-- description: The services called most often, and by what kind of identity.
-- source: cloudtrail_activity
-- chart: top-bars
-- x: eventsource
-- colour: identity_type
-- count: eventtime
-- limit: 15
-- order: 40
-- columns: eventtime:datetime, account_name, region, principal, eventsource, identity_type, eventid
SELECT eventtime, account_name, region, principal, eventsource, identity_type, eventid
FROM cloudtrail_activity
