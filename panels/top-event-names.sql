-- id: top-event-names
-- title: Top event names, coloured by event source
-- description: The API calls made most often, each coloured by the service it belongs to.
-- source: cloudtrail_activity
-- chart: top-bars
-- x: eventname
-- colour: eventsource
-- count: eventtime
-- limit: 20
-- order: 30
-- columns: eventtime:datetime, account_name, region, principal, eventname, eventsource, eventid
SELECT eventtime, account_name, region, principal, eventname, eventsource, eventid
FROM cloudtrail_activity
