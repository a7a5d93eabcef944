-- id: detection-hits-over-time
-- title: Detection hits over time, by severity
-- description: Hits of the detection catalogue (queries/) per day, stacked by severity.
-- source: detection_hits
-- chart: time-bars
-- x: eventtime
-- colour: severity
-- count: eventtime
-- order: 80
-- columns: eventtime:datetime, account_name, region, principal, severity, detection, eventid
SELECT eventtime, account_name, region, principal, severity, detection, eventid
FROM detection_hits
