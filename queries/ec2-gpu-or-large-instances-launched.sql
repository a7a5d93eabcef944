-- id: ec2-gpu-or-large-instances-launched
-- title: GPU, accelerator or memory-heavy instances launched or requested
-- severity: high
-- kind: event
-- tactics: TA0040, TA0005
-- techniques: T1496.001, T1578.002
-- description: An instance of a GPU/accelerator or very large memory family (p*, g*, trn*, inf*, dl*, x*) was launched, requested as Spot or Fleet, or an instance was changed to one: the favourite of crypto-mining and model-training abuse with stolen keys. The type is matched in the request and, for launch templates, in the response. Failed launches count: quota and capacity errors are what a first attempt by an attacker usually gets.
-- falsepositives: ML and graphics teams; SAP HANA (x*) hosts; suppress their accounts or roles.
-- runbook: Confirm with the account owner; if unexpected, terminate the instances, cancel Spot requests and fleets, and revoke the caller; check other regions too.
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(regexp_extract(concat(coalesce(requestparameters, ''), coalesce(responseelements, '')), '"(instanceType|InstanceType)"\s*:\s*(\{\s*"value"\s*:\s*)?"([a-z0-9-]+\.[a-z0-9]+)"', 3),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND eventsource = 'ec2.amazonaws.com'
  AND eventname IN ('RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet', 'ModifyInstanceAttribute', 'CreateLaunchTemplate', 'CreateLaunchTemplateVersion')
  -- instanceType as "p4d.24xlarge" or, in ModifyInstanceAttribute, {"value": "p4d.24xlarge"}; Fleet requests spell it InstanceType.
  AND regexp_like(concat(coalesce(requestparameters, ''), coalesce(responseelements, '')),
                  '"(instanceType|InstanceType)"\s*:\s*(\{\s*"value"\s*:\s*)?"(p[0-9]|g[0-9]|gr[0-9]|trn[0-9]|inf[0-9]|dl[0-9]|x[0-9])[a-z0-9-]*\.')
  -- Auto Scaling and Spot Fleet launch on behalf of a configuration someone created (that creation is what is flagged).
  AND coalesce(sourceipaddress, '') NOT LIKE '%.amazonaws.com'
ORDER BY eventtime
