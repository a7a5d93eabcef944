-- id: ec2-gpu-or-large-instances-launched
-- title: GPU, accelerator or memory-heavy instances launched or requested
-- severity: high
-- kind: event
-- tactics: TA0040, TA0005
-- techniques: T1496.001, T1578.002
-- description: An instance of a GPU/accelerator or very large memory family (p*, g*, trn*, inf*, dl*, x*) was launched (by a principal or by Auto Scaling/Fleet), requested as Spot or Fleet, put in a launch template, launch configuration or Auto Scaling group, or an instance was changed to one: the favourite of crypto-mining and model-training abuse with stolen keys. The type is matched in the request and, for launch templates, in the response. Failed launches count: quota and capacity errors are what a first attempt by an attacker usually gets.
-- falsepositives: ML and graphics teams; SAP HANA (x*) hosts; suppress their accounts or roles (and their Auto Scaling service-linked role where GPU groups are normal).
-- runbook: Confirm with the account owner; if unexpected, terminate the instances, cancel Spot requests and fleets, and revoke the caller; check other regions too.
-- status: experimental
-- created: 2026-11-25
-- modified: 2026-11-25
SELECT eventtime, account, region, eventsource, eventname, useridentity.arn AS principal, sourceipaddress, useragent, eventid,
       concat(coalesce(regexp_extract(concat(coalesce(requestparameters, ''), coalesce(responseelements, '')), '"(instanceType|InstanceType)"\s*:\s*(\{\s*"value"\s*:\s*)?"([a-z0-9-]+\.[a-z0-9]+)"', 3), '?'),
              CASE WHEN errorcode IS NULL THEN '' ELSE concat(' (attempt, ', errorcode, ')') END) AS detail
FROM cloudtrail
WHERE ${window}
  AND ((eventsource = 'ec2.amazonaws.com'
        AND eventname IN ('RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet', 'ModifyInstanceAttribute', 'CreateLaunchTemplate', 'CreateLaunchTemplateVersion'))
       OR (eventsource = 'autoscaling.amazonaws.com'
        AND eventname IN ('CreateAutoScalingGroup', 'UpdateAutoScalingGroup', 'CreateLaunchConfiguration')))
  -- instanceType as "p4d.24xlarge" or, in ModifyInstanceAttribute, {"value": "p4d.24xlarge"}; Fleet requests spell it InstanceType.
  AND regexp_like(concat(coalesce(requestparameters, ''), coalesce(responseelements, '')),
                  '"(instanceType|InstanceType)"\s*:\s*(\{\s*"value"\s*:\s*)?"(p[0-9]|g[0-9]|gr[0-9]|trn[0-9]|inf[0-9]|dl[0-9]|x[0-9])[a-z0-9-]*\.')
  -- Launches by Auto Scaling or EC2 Fleet for a group someone configured count too: the bill is the same, and the
  -- group may have been created outside the window.
ORDER BY eventtime
